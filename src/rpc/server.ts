/**
 * RPC transports: JSON-RPC 2.0 over a unix socket (as Core Lightning's `lightning-rpc`: one
 * request object after another, named or positional params) and HTTP on 127.0.0.1
 * (`POST /v1/<method>`, guarded by a bearer token kept in the data directory).
 */
import net from 'node:net';
import http from 'node:http';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { RpcErrors } from './errors.ts';
import { toJson, splitJsonObjects } from './json.ts';
import { toRpcError, type Dispatcher } from './dispatcher.ts';

const MAX_REQUEST = 4 * 1024 * 1024;

interface JsonRpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** handleRequest runs one parsed JSON-RPC request and returns the response object. */
export async function handleRequest(d: Dispatcher, req: unknown): Promise<Record<string, unknown>> {
  const r = (req ?? {}) as JsonRpcRequest;
  const id = r.id ?? null;
  if (typeof req !== 'object' || req === null || Array.isArray(req) || typeof r.method !== 'string') {
    return { jsonrpc: '2.0', id, error: { code: RpcErrors.INVALID_REQUEST, message: 'request must be an object with a string "method"' } };
  }
  try {
    const result = await d.call(r.method, r.params);
    return { jsonrpc: '2.0', id, result: result ?? {} };
  } catch (e) {
    return { jsonrpc: '2.0', id, error: toRpcError(e) };
  }
}

export interface Closable {
  close(): Promise<void>;
}

/** startUnixRpc listens on a unix socket (mode 0600) and serves JSON-RPC requests. */
export async function startUnixRpc(path: string, d: Dispatcher, onError: (e: unknown) => void = () => {}): Promise<Closable> {
  if (existsSync(path)) {
    // A socket left by a crashed daemon: refuse if something still answers on it.
    const alive = await new Promise<boolean>((res) => {
      const c = net.connect(path, () => {
        c.destroy();
        res(true);
      });
      c.on('error', () => res(false));
    });
    if (alive) throw new Error(`another daemon is already listening on ${path}`);
    unlinkSync(path);
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    let chain = Promise.resolve();
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST) {
        sock.end(toJson({ jsonrpc: '2.0', id: null, error: { code: RpcErrors.INVALID_REQUEST, message: 'request too large' } }) + '\n\n');
        return;
      }
      const { objects, rest } = splitJsonObjects(buf);
      buf = rest;
      for (const text of objects) {
        chain = chain.then(async () => {
          let req: unknown;
          try {
            req = JSON.parse(text);
          } catch {
            if (!sock.destroyed) sock.write(toJson({ jsonrpc: '2.0', id: null, error: { code: RpcErrors.PARSE_ERROR, message: 'invalid JSON' } }) + '\n\n');
            return;
          }
          const resp = await handleRequest(d, req);
          if (!sock.destroyed) sock.write(toJson(resp) + '\n\n');
        });
      }
      if (buf.length > 0 && buf[0] !== '{' && buf[0] !== '[') {
        sock.end(toJson({ jsonrpc: '2.0', id: null, error: { code: RpcErrors.PARSE_ERROR, message: 'invalid JSON' } }) + '\n\n');
        buf = '';
      }
    });
    sock.on('error', onError);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(path, () => res());
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      }),
  };
}

/** startHttpRpc serves `POST /v1/<method>` with a JSON body of params, token-guarded. */
export async function startHttpRpc(host: string, port: number, token: string, d: Dispatcher): Promise<Closable & { port: number }> {
  const want = Buffer.from(token);
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      const s = toJson(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
      res.end(s);
    };
    const auth = req.headers.authorization ?? '';
    const got = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : String(req.headers['x-kite-token'] ?? ''));
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      send(401, { error: { code: RpcErrors.UNAUTHORIZED, message: 'missing or wrong token (Authorization: Bearer <rpc-token file>)' } });
      return;
    }
    const m = /^\/v1\/([a-z0-9_-]+)\/?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      send(404, { error: { code: RpcErrors.METHOD_NOT_FOUND, message: 'use POST /v1/<method>' } });
      return;
    }
    let body = '';
    let tooBig = false;
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_REQUEST) {
        tooBig = true;
        req.destroy();
      }
    });
    req.on('end', async () => {
      if (tooBig) return;
      let params: unknown = {};
      if (body.trim() !== '') {
        try {
          params = JSON.parse(body);
        } catch {
          send(400, { error: { code: RpcErrors.PARSE_ERROR, message: 'body is not valid JSON' } });
          return;
        }
      }
      const resp = await handleRequest(d, { method: m[1], params });
      if (resp.error) {
        const code = (resp.error as { code: number }).code;
        send(code === RpcErrors.METHOD_NOT_FOUND ? 404 : code === RpcErrors.INVALID_PARAMS ? 400 : 500, { error: resp.error });
      } else send(200, resp.result);
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => res());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
