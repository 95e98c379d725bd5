/** The messenger's timers, started together and stopped together (stop, lock, wipe). */
export class Scheduler {
  private timers: ReturnType<typeof setInterval>[] = [];

  /** Runs `task` every `ms`; a failed run is simply tried again at the next tick. */
  every(ms: number, task: () => Promise<unknown> | void): void {
    this.timers.push(
      setInterval(() => {
        void Promise.resolve()
          .then(task)
          .catch(() => undefined);
      }, ms),
    );
  }

  get running(): boolean {
    return this.timers.length > 0;
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
