/**
 * Structured logs: one line per event with a level, a subsystem tag and key=value fields
 * (peer, channel, payment hash). `error` is for bugs in Kite's own code.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(subsystem: string, fields?: Record<string, unknown>): Logger;
}

export type Sink = (line: string) => void;

function fmt(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v);
}

/** createLogger writes `TIME LEVEL [subsystem] message k=v ...` lines to sink. */
export function createLogger(sink: Sink, minLevel: Level = 'info', subsystem = 'kited', base: Record<string, unknown> = {}, now: () => Date = () => new Date()): Logger {
  const log = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const all = { ...base, ...fields };
    const kv = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    sink(`${now().toISOString()} ${level.toUpperCase().padEnd(5)} [${subsystem}] ${msg}${kv ? ' ' + kv : ''}`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (sub, f) => createLogger(sink, minLevel, sub, { ...base, ...f }, now),
  };
}

/** A logger that drops everything (library use without logs). */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
};
