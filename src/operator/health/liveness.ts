// Event-loop liveness: a timer that should fire every `intervalMs`; when it has not fired for
// `stallMs`, the loop is wedged (a busy loop, a blocking call) and /healthz says so, so the
// kubelet restarts the process.

export class EventLoopWatchdog {
  private lastTick = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly stallMs = 10_000,
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => {
      this.lastTick = performance.now();
    }, intervalMs);
    this.timer.unref();
  }

  /** Milliseconds since the loop last ran the watchdog's timer. */
  lagMs(): number {
    return performance.now() - this.lastTick;
  }

  healthy(): boolean {
    return this.lagMs() < this.stallMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
