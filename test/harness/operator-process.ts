// The operator binary (src/main.ts through tsx) as a child process of a test: its JSON log goes to
// a file, the ports it chose (tests pass --metrics-port=0 --health-port=0) are read back from the
// log, and it cannot outlive the test process (see processes.ts).
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';
import { startManagedProcess, type ManagedProcess, type ProcessExit } from './processes.js';

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface OperatorProcess {
  readonly process: ManagedProcess;
  readonly exited: Promise<ProcessExit>;
  /** The whole log so far (JSON lines). */
  log(): Promise<string>;
  /** The metrics and health ports, once the operator has logged them. Rejects if it exits first. */
  ports(): Promise<{ metrics: number; health: number }>;
  /** The admission webhook's port, once the operator has logged it (started with --webhook-cert-dir). */
  webhookPort(): Promise<number>;
  /** Waits until /readyz answers 200 (informers synced, cloud reachable). */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The /metrics exposition text. */
  metrics(): Promise<string>;
  /** SIGKILL (a crash) or SIGTERM (a graceful stop), and waits for the exit. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<ProcessExit>;
}

export function startOperatorProcess(args: readonly string[], opts: { logPath: string; env?: Record<string, string> }): OperatorProcess {
  const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  // `env` in front keeps startManagedProcess's orphan guard in charge of the node process itself.
  const managed = startManagedProcess('operator', 'env', [...envArgs, process.execPath, '--import', 'tsx', mainTs, ...args], opts.logPath);
  const log = () => readFile(opts.logPath, 'utf8').catch(() => '');
  let exitedEarly = false;
  void managed.exited.then(() => (exitedEarly = true));

  /** Waits until `pick` finds what it wants in the operator's JSON log lines (or the operator exits). */
  const fromLog = <T>(what: string, pick: (entries: { msg?: string; port?: number }[]) => T | undefined): Promise<T> =>
    eventually(`the operator logs ${what}`, async () => {
      const entries = (await log()).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; port?: number });
      const found = pick(entries);
      if (found !== undefined) return found;
      if (exitedEarly) throw new Error(`the operator exited before logging ${what}:\n${await managed.logTail(40)}`);
      return undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });

  let ports: Promise<{ metrics: number; health: number }> | undefined;
  const readPorts = () =>
    (ports ??= fromLog('its metrics and health ports', (entries) => {
      const metrics = entries.findLast((e) => e.msg?.startsWith('metrics listening'))?.port;
      const health = entries.findLast((e) => e.msg?.startsWith('health probes listening'))?.port;
      return metrics && health ? { metrics, health } : undefined;
    }));
  let webhookPort: Promise<number> | undefined;
  const readWebhookPort = () =>
    (webhookPort ??= fromLog('its admission webhook port', (entries) => entries.find((e) => e.msg === 'admission webhook serving' && e.port)?.port));

  return {
    process: managed,
    exited: managed.exited,
    log,
    ports: readPorts,
    webhookPort: readWebhookPort,
    async waitReady(timeoutMs = 60_000) {
      const { health } = await readPorts();
      await eventually('the operator is ready (/readyz 200)', async () => {
        if (exitedEarly) throw new Error(`the operator exited:\n${await managed.logTail(40)}`);
        return (await httpGet(health, '/readyz')).status === 200 ? true : undefined;
      }, { timeoutMs, intervalMs: 200 });
    },
    async metrics() {
      const { metrics } = await readPorts();
      return (await httpGet(metrics, '/metrics')).body;
    },
    async kill(signal = 'SIGKILL') {
      if (signal === 'SIGTERM') await managed.stop(30_000);
      else {
        try {
          process.kill(-managed.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return managed.exited;
    },
  };
}

export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample in a Prometheus exposition, e.g. sampleValue(text, 'karpenter_nodeclaims_launched_total', { nodepool: 'default' }); summed over other labels. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(match[3]);
  }
  return sum;
}
