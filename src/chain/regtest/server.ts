/**
 * The kite-chain HTTP server: Bitcoin Core's JSON-RPC over HTTP on 127.0.0.1 — POST to `/`
 * (or `/wallet/<name>`), JSON-RPC 1.0 and 2.0, batches, HTTP basic auth with the datadir's
 * `.cookie` (`__cookie__:<hex>`, written on start and removed on stop) or rpcuser and
 * rpcpassword, 401 on bad credentials — so bitcoind clients talk to it unchanged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { toHex } from '../../lib/index.ts';
import { randomBytes } from '../../crypto/index.ts';
import { RPC_CODES, RpcError } from '../rpc-types.ts';
import type { RegtestChain } from './chain.ts';
import { callMethod, chainRpcMethods } from './rpc-handler.ts';

/** Options of the kite-chain server. */
export interface ChainServerOptions {
  chain: RegtestChain;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 18443; 0 picks a free one). */
  port?: number;
  /** Directory for the `.cookie` file (cookie auth is used when rpcUser/rpcPassword are not both given). */
  datadir?: string;
  rpcUser?: string;
  rpcPassword?: string;
  /** Called after the `stop` RPC has been answered. */
  onStop?: () => void;
}

type JsonRpcRequest = { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };

/** ChainServer serves a RegtestChain over HTTP JSON-RPC. */
export class ChainServer {
  private server: Server | null = null;
  private credentials = '';
  private cookiePath: string | null = null;
  private readonly methods;
  port = 0;

  constructor(readonly opts: ChainServerOptions) {
    this.methods = chainRpcMethods(opts.chain, { onStop: () => opts.onStop?.() });
  }

  /** cookieFile is the path of the `.cookie` file while the server runs with cookie auth. */
  get cookieFile(): string | null {
    return this.cookiePath;
  }
  /** url of the server. */
  get url(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.port}/`;
  }

  /** start listens and writes the cookie; resolves with the bound port. */
  async start(): Promise<number> {
    const { rpcUser, rpcPassword, datadir } = this.opts;
    if (rpcUser !== undefined && rpcPassword !== undefined) {
      this.credentials = `${rpcUser}:${rpcPassword}`;
    } else {
      if (!datadir) throw new Error('kite-chain: give rpcuser and rpcpassword, or a datadir for the cookie file');
      mkdirSync(datadir, { recursive: true });
      this.credentials = `__cookie__:${toHex(randomBytes(32))}`;
      this.cookiePath = join(datadir, '.cookie');
      writeFileSync(this.cookiePath, this.credentials, { mode: 0o600 });
    }
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 18443, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this.port;
  }

  /** stop closes the listener and connections and removes the cookie. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (this.cookiePath) {
      rmSync(this.cookiePath, { force: true });
      this.cookiePath = null;
    }
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (!h || !h.startsWith('Basic ')) return false;
    const given = Buffer.from(Buffer.from(h.slice(6).trim(), 'base64').toString('utf8'));
    const want = Buffer.from(this.credentials);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.authorized(req)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Type': 'text/html; charset=ISO-8859-1' });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain' });
      res.end('JSONRPC server handles only POST requests');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && !/^\/wallet\/[^/]*$/.test(path)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.send(res, 500, { result: null, error: { code: RPC_CODES.PARSE_ERROR, message: 'Parse error' }, id: null });
        return;
      }
      if (Array.isArray(body)) {
        const out = body.map((r) => this.one(r as JsonRpcRequest)).filter((x) => x.reply !== undefined).map((x) => x.reply);
        this.send(res, 200, out);
        return;
      }
      if (typeof body !== 'object' || body === null) {
        this.send(res, 400, { result: null, error: { code: RPC_CODES.INVALID_REQUEST, message: 'Invalid Request object' }, id: null });
        return;
      }
      const { status, reply } = this.one(body as JsonRpcRequest);
      if (reply === undefined) {
        res.writeHead(204);
        res.end();
      } else this.send(res, status, reply);
    });
  }

  /** one answers a single request: JSON-RPC 2.0 replies omit the unused member; 1.0 ones carry both. */
  private one(r: JsonRpcRequest): { status: number; reply?: unknown } {
    const v2 = r !== null && typeof r === 'object' && r.jsonrpc === '2.0';
    const id = r && typeof r === 'object' && 'id' in r ? (r.id ?? null) : null;
    const notification = v2 && !(r && typeof r === 'object' && 'id' in r);
    let result: unknown;
    let error: { code: number; message: string } | null = null;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) error = { code: RPC_CODES.INVALID_REQUEST, message: 'Invalid Request object' };
    else if (typeof r.method !== 'string') error = { code: RPC_CODES.INVALID_REQUEST, message: 'Method must be a string' };
    else {
      try {
        result = callMethod(this.methods, r.method, r.params);
      } catch (e) {
        error = e instanceof RpcError ? { code: e.code, message: e.message } : { code: -32603, message: (e as Error).message };
      }
    }
    if (notification) return { status: 204 };
    if (v2) return { status: 200, reply: error ? { jsonrpc: '2.0', error, id } : { jsonrpc: '2.0', result: result ?? null, id } };
    const status = !error ? 200 : error.code === RPC_CODES.METHOD_NOT_FOUND ? 404 : error.code === RPC_CODES.INVALID_REQUEST ? 400 : 500;
    return { status, reply: { result: error ? null : (result ?? null), error, id } };
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body) + '\n';
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
