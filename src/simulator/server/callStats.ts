// Per-action call counts with outcomes, so tests can assert "N calls made, M throttled".

export interface ActionCalls {
  total: number;
  ok: number;
  /** Error code to count. */
  errors: Record<string, number>;
}

export class CallStats {
  private readonly calls = new Map<string, ActionCalls>();

  record(action: string, errorCode?: string): void {
    let entry = this.calls.get(action);
    if (!entry) {
      entry = { total: 0, ok: 0, errors: {} };
      this.calls.set(action, entry);
    }
    entry.total++;
    if (errorCode === undefined) entry.ok++;
    else entry.errors[errorCode] = (entry.errors[errorCode] ?? 0) + 1;
  }

  count(action: string): number {
    return this.calls.get(action)?.total ?? 0;
  }

  snapshot(): Record<string, ActionCalls> {
    return Object.fromEntries([...this.calls].map(([action, c]) => [action, { ...c, errors: { ...c.errors } }]));
  }

  reset(): void {
    this.calls.clear();
  }
}
