// Delayed state transitions (instance and ENI lifecycles, spot reclaim). Every timer is tracked
// so that closing the simulator leaves nothing running. A zero delay runs the step at once,
// which keeps the "zero" latency profile fully synchronous and deterministic.

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  after(ms: number, step: () => void): void {
    if (this.closed) return;
    if (ms <= 0) {
      step();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) step();
    }, ms);
    this.timers.add(timer);
  }

  get pending(): number {
    return this.timers.size;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
