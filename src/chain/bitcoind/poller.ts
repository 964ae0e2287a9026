/**
 * The clock for a BlockWatcher: calls `poll()` every `intervalMs` (bitcoind has no push
 * without ZMQ, which Kite does not use). Lives in the adapter layer because it owns a timer.
 */
import type { BlockWatcher } from '../watcher.ts';

/** Options of startPolling. */
export interface PollingOptions {
  /** Milliseconds between polls (default 1000; Core Lightning polls bitcoind every 30 s on mainnet). */
  intervalMs?: number;
  /** Called with each failed poll's error (backend away, a listener threw); polling goes on. */
  onError?: (e: unknown) => void;
}

/**
 * startPolling runs `watcher.poll()` now and then every `intervalMs` after the previous poll
 * ends, until the returned stop function is called (which resolves after a running poll).
 */
export function startPolling(watcher: BlockWatcher, opts: PollingOptions = {}): () => Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  const tick = (): void => {
    timer = null;
    current = watcher
      .poll()
      .catch((e: unknown) => opts.onError?.(e))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, interval);
      });
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}
