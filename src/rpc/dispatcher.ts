/**
 * The dispatcher binds method schemas to handlers: every call, whatever transport it came
 * by, is validated against the method's schema before its handler sees it.
 */
import { KiteError } from '../lib/errors.ts';
import { RpcErrors } from './errors.ts';
import { normalizeParams, usage, type MethodSpec } from './schema.ts';

export type Handler = (params: Record<string, unknown>) => Promise<unknown>;

export interface Dispatcher {
  call(method: string, params: unknown): Promise<unknown>;
  specs(): MethodSpec[];
}

/** createDispatcher builds a dispatcher; `help` is provided from the schemas themselves. */
export function createDispatcher(specs: MethodSpec[], handlers: Record<string, Handler>): Dispatcher {
  const byName = new Map<string, { spec: MethodSpec; handler: Handler }>();
  const helpHandler: Handler = async (p) => {
    if (typeof p.command === 'string') {
      const e = byName.get(p.command);
      if (!e) throw new KiteError(RpcErrors.METHOD_NOT_FOUND, `unknown command '${p.command}'`);
      return { help: [{ command: usage(e.spec), summary: e.spec.summary, params: e.spec.params }] };
    }
    return { help: [...new Set([...byName.values()].map((e) => e.spec))].map((s) => ({ command: usage(s), summary: s.summary })) };
  };
  for (const spec of specs) {
    const handler = spec.name === 'help' ? (handlers.help ?? helpHandler) : handlers[spec.name];
    if (!handler) continue;
    for (const n of [spec.name, ...(spec.aliases ?? [])]) byName.set(n, { spec, handler });
  }
  return {
    async call(method, params) {
      const e = byName.get(method);
      if (!e) throw new KiteError(RpcErrors.METHOD_NOT_FOUND, `unknown command '${method}'`);
      const named = normalizeParams(e.spec, params);
      return e.handler(named);
    },
    specs: () => [...new Set([...byName.values()].map((e) => e.spec))],
  };
}

/** toRpcError turns anything thrown by a handler into a JSON-RPC error object. */
export function toRpcError(e: unknown): { code: number; message: string; data?: unknown } {
  if (e instanceof KiteError) return { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) };
  return { code: RpcErrors.INTERNAL, message: e instanceof Error ? e.message : String(e) };
}
