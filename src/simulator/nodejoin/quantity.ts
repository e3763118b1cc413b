// Kubernetes resource quantities, just enough for capacity and allocatable arithmetic: CPU in
// millicores, everything else in bytes (or plain counts).

const suffixes: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function parseQuantity(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text.trim());
  if (!match) throw new Error(`invalid quantity ${text}`);
  // Divide for milli so that 3800m is exactly 3.8.
  if (match[2] === 'm') return Number(match[1]) / 1000;
  return Number(match[1]) * suffixes[match[2] ?? '']!;
}

export function milliCpu(text: string): number {
  return Math.round(parseQuantity(text) * 1000);
}

/** A quantity, or a percentage of `total` ("10%"). */
export function amountOf(text: string, total: number): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  return percent ? (total * Number(percent[1])) / 100 : parseQuantity(text);
}

export function formatMilliCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatKi(bytes: number): string {
  return `${Math.max(0, Math.floor(bytes / 1024))}Ki`;
}
