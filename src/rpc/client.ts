/**
 * A JSON-RPC client for the daemon's unix socket, used by the CLI, the demo and tests.
 */
import net from 'node:net';
import { KiteError } from '../lib/errors.ts';
import { splitJsonObjects, toJson } from './json.ts';

/** RpcClient keeps one socket open and sends requests one after another. */
export class RpcClient {
  private sock: net.Socket | null = null;
  private nextId = 1;
  private buf = '';
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  constructor(readonly path: string) {}

  private connect(): Promise<net.Socket> {
    if (this.sock && !this.sock.destroyed) return Promise.resolve(this.sock);
    return new Promise((resolve, reject) => {
      const s = net.connect(this.path);
      s.setEncoding('utf8');
      s.once('connect', () => {
        this.sock = s;
        resolve(s);
      });
      s.on('error', (e) => {
        reject(e);
        this.failAll(e);
      });
      s.on('close', () => this.failAll(new Error('connection to daemon closed')));
      s.on('data', (chunk: string) => {
        this.buf += chunk;
        const { objects, rest } = splitJsonObjects(this.buf);
        this.buf = rest;
        for (const o of objects) {
          const r = JSON.parse(o) as { id: number; result?: unknown; error?: { code: number; message: string; data?: unknown } };
          const w = this.waiting.get(r.id);
          if (!w) continue;
          this.waiting.delete(r.id);
          if (r.error) w.reject(new KiteError(r.error.code, r.error.message, r.error.data));
          else w.resolve(r.result);
        }
      });
    });
  }

  private failAll(e: unknown): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  /** call sends one request and resolves with its result or rejects with a KiteError. */
  async call<T = any>(method: string, params: unknown = {}): Promise<T> {
    const s = await this.connect();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      s.write(toJson({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}
