/**
 * An HTTP JSON-RPC client for Bitcoin Core (and kite-chain), producing an RpcCall.
 *
 * - Auth: HTTP basic auth from rpcuser/rpcpassword, or from the `.cookie` file bitcoind
 *   writes at start (`__cookie__:<hex>`). The cookie is re-read on a 401, since a restarted
 *   bitcoind writes a new one.
 * - Timeouts per request; retries with exponential backoff while the server is away
 *   (connection refused/reset, HTTP 503, RPC -28 "in warmup"), up to `retryForMs`.
 * - Errors: an RPC error object becomes RpcError(code, message); everything else (server
 *   gone for good, bad auth, a non-JSON answer) becomes a KiteError CHAIN_ERRORS.UNAVAILABLE
 *   with a message that says what to check.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { KiteError } from '../../lib/index.ts';
import { CHAIN_ERRORS } from '../interfaces.ts';
import { RPC_CODES, RpcError, type RpcCall } from '../rpc-types.ts';

/** Options of createHttpRpc. */
export interface HttpRpcOptions {
  host?: string;
  port: number;
  /** URL path, e.g. "/wallet/name" (default "/"). */
  path?: string;
  user?: string;
  password?: string;
  /** Path of bitcoind's `.cookie` file, used when user/password are not given. */
  cookieFile?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Keep retrying an unreachable server for this long (default 15 s; 0 = no retry). */
  retryForMs?: number;
  /** First backoff delay (default 50 ms), doubled up to maxBackoffMs (default 1 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Injected clock and sleep (tests); defaults use the real ones. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** An RpcCall with a batch form and a close() for its keep-alive sockets. */
export interface HttpRpc extends RpcCall {
  /** batch sends several calls in one HTTP request; each result is a value or an RpcError. */
  batch(calls: { method: string; params: unknown[] }[]): Promise<(unknown | RpcError)[]>;
  close(): void;
}

interface HttpAnswer {
  status: number;
  body: string;
}

const RETRIABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

class Retriable extends Error {}

/** createHttpRpc returns an RpcCall speaking JSON-RPC over HTTP to bitcoind or kite-chain. */
export function createHttpRpc(opts: HttpRpcOptions): HttpRpc {
  const host = opts.host ?? '127.0.0.1';
  const path = opts.path ?? '/';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retryForMs = opts.retryForMs ?? 15_000;
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const where = `${host}:${opts.port}`;
  let nextId = 1;
  let cachedAuth: string | null = null;

  async function authHeader(fresh: boolean): Promise<string> {
    if (opts.user !== undefined && opts.password !== undefined) {
      return 'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
    }
    if (!opts.cookieFile) {
      throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where}: give rpcuser and rpcpassword, or a cookie file`);
    }
    if (cachedAuth && !fresh) return cachedAuth;
    let cookie: string;
    try {
      cookie = (await readFile(opts.cookieFile, 'utf8')).trim();
    } catch (e) {
      // A restarting bitcoind removes the cookie and writes a new one: worth retrying.
      throw new Retriable(`cannot read cookie file ${opts.cookieFile}: ${(e as Error).message}`);
    }
    cachedAuth = 'Basic ' + Buffer.from(cookie).toString('base64');
    return cachedAuth;
  }

  function post(body: string, auth: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host,
          port: opts.port,
          path,
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: auth },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => reject(new Retriable(e.message)));
        },
      );
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        reject(new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where} did not answer within ${timeoutMs} ms`));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof KiteError) return reject(e);
        if ((e.code && RETRIABLE_CODES.has(e.code)) || /socket hang up/i.test(e.message)) return reject(new Retriable(`${e.code ?? ''} ${e.message}`.trim()));
        reject(new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where}: ${e.message}`));
      });
      req.end(body);
    });
  }

  /** send posts a JSON body with retry/backoff and returns the parsed JSON answer. */
  async function send(payload: unknown): Promise<unknown> {
    const body = JSON.stringify(payload);
    const deadline = now() + retryForMs;
    let delay = opts.minBackoffMs ?? 50;
    let freshAuth = false;
    let authRetried = false;
    for (;;) {
      let lastProblem: string;
      try {
        const ans = await post(body, await authHeader(freshAuth));
        freshAuth = false;
        if (ans.status === 401 || ans.status === 403) {
          if (opts.cookieFile && !authRetried) {
            authRetried = true;
            freshAuth = true; // the cookie may have changed under a restarted bitcoind
            continue;
          }
          throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where} refused our credentials (HTTP ${ans.status}); check rpcuser/rpcpassword or the cookie file`);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(ans.body);
        } catch {
          if (ans.status === 503) throw new Retriable('HTTP 503');
          throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where} answered HTTP ${ans.status} without JSON: ${ans.body.slice(0, 200)}`);
        }
        const single = parsed as { error?: { code?: number } | null };
        if (!Array.isArray(parsed) && single?.error?.code === RPC_CODES.IN_WARMUP) throw new Retriable('bitcoind is warming up');
        return parsed;
      } catch (e) {
        if (!(e instanceof Retriable)) throw e;
        lastProblem = e.message;
      }
      if (now() + delay > deadline) {
        throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind RPC at ${where} unreachable (${lastProblem}); is bitcoind (or kite-chain) running?`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, opts.maxBackoffMs ?? 1000);
    }
  }

  function unwrap(reply: unknown, method: string): unknown {
    if (typeof reply !== 'object' || reply === null) throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, `bitcoind ${method}: malformed reply`);
    const r = reply as { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    if (r.error !== null && r.error !== undefined) {
      const code = typeof r.error.code === 'number' ? r.error.code : RPC_CODES.MISC_ERROR;
      return new RpcError(code, typeof r.error.message === 'string' ? r.error.message : JSON.stringify(r.error));
    }
    return r.result === undefined ? null : r.result;
  }

  const call = (async (method: string, params: unknown[]) => {
    const id = nextId++;
    const v = unwrap(await send({ jsonrpc: '1.0', id, method, params }), method);
    if (v instanceof RpcError) throw v;
    return v;
  }) as HttpRpc;

  call.batch = async (calls) => {
    if (calls.length === 0) return [];
    const first = nextId;
    nextId += calls.length;
    const reply = await send(calls.map((c, i) => ({ jsonrpc: '1.0', id: first + i, method: c.method, params: c.params })));
    if (!Array.isArray(reply)) {
      const single = unwrap(reply, 'batch');
      if (single instanceof RpcError) throw single;
      throw new KiteError(CHAIN_ERRORS.UNAVAILABLE, 'bitcoind batch: expected an array reply');
    }
    const byId = new Map<unknown, unknown>(reply.map((r) => [(r as { id?: unknown }).id, r]));
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      return r === undefined ? new RpcError(RPC_CODES.MISC_ERROR, `no reply for ${c.method}`) : unwrap(r, c.method);
    });
  };

  call.close = () => agent.destroy();
  return call;
}
