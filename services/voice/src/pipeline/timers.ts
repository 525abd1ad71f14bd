/**
 * The call's timers, in one place: call end clears them all, and tests can check that none is left.
 */
export class TimerSet {
  private readonly handles = new Set<NodeJS.Timeout>();

  set(fn: () => void, ms: number): NodeJS.Timeout {
    const h = setTimeout(() => {
      this.handles.delete(h);
      fn();
    }, Math.max(0, ms));
    this.handles.add(h);
    return h;
  }

  clear(h: NodeJS.Timeout | undefined): void {
    if (h === undefined) return;
    clearTimeout(h);
    this.handles.delete(h);
  }

  clearAll(): void {
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }

  get size(): number {
    return this.handles.size;
  }
}

/** Epoch milliseconds with sub-millisecond resolution (stage timings). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
