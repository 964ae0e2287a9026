/**
 * The node's one clock and timer service. Nothing in the node reads `Date.now()` or calls
 * `setTimeout`/`setInterval` directly: it is handed a `Clock`. The daemon uses `systemClock`;
 * tests and the simulator use `ManualClock`, whose time moves only when told to, so a whole
 * network of nodes runs in simulated time with no wall-clock wait.
 */

/** A scheduled callback; pass it back to `cancel`. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` every `ms` milliseconds until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
  /** Cancels a timer; cancelling one that has run or was cancelled is a no-op. */
  cancel(handle: TimerHandle | null | undefined): void;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** Seconds since the Unix epoch, as BOLT timestamps and invoices count them. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

/** The wall clock, with Node's timers (unref'd, so a timer never keeps a process alive). */
export function createSystemClock(): Clock {
  let next = 1;
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  const periodic = new Set<number>();
  return {
    now: () => Date.now(),
    after(ms, fn) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      t.unref?.();
      live.set(id, t);
      return { id };
    },
    every(ms, fn) {
      const id = next++;
      const t = setInterval(fn, ms);
      t.unref?.();
      live.set(id, t);
      periodic.add(id);
      return { id };
    },
    cancel(handle) {
      if (!handle) return;
      const t = live.get(handle.id);
      if (t === undefined) return;
      if (periodic.delete(handle.id)) clearInterval(t);
      else clearTimeout(t);
      live.delete(handle.id);
    },
    sleep(ms) {
      return new Promise((resolve) => {
        // A sleep is awaited, so it must keep the process alive like any pending promise.
        setTimeout(resolve, ms);
      });
    },
  };
}

/** The process-wide wall clock. */
export const systemClock: Clock = createSystemClock();

interface ManualTimer {
  id: number;
  due: number;
  period: number | null;
  fn: () => void;
}

/**
 * Simulated time: `now()` starts where it is told and moves only through `advance`/`runUntil`,
 * which run every timer that falls due, in due order (ties in creation order).
 */
export class ManualClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers = new Map<number, ManualTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.add(Math.max(0, ms), null, fn);
  }

  every(ms: number, fn: () => void): TimerHandle {
    if (!(ms > 0)) throw new RangeError(`ManualClock.every: period must be positive, got ${ms}`);
    return this.add(ms, ms, fn);
  }

  cancel(handle: TimerHandle | null | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, running each timer as its moment comes. Between timers it
   * yields to the event loop so that promise chains a timer started can settle, as they
   * would between real ticks.
   */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.t + ms);
  }

  /** Moves time forward to `target` (ms since the epoch), running the timers due on the way. */
  async runUntil(target: number): Promise<void> {
    for (;;) {
      const due = this.nextDue();
      if (!due || due.due > target) break;
      this.t = Math.max(this.t, due.due);
      if (due.period === null) this.timers.delete(due.id);
      else due.due += due.period;
      due.fn();
      await settle();
    }
    this.t = Math.max(this.t, target);
    await settle();
  }

  private add(ms: number, period: number | null, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.t + ms, period, fn });
    return { id };
  }

  private nextDue(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers.values()) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** Lets pending promise callbacks and I/O callbacks run once. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
