import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitcoindBackend, createHttpRpc } from '../../src/chain/bitcoind/index.ts';
import { CHAIN_ERRORS } from '../../src/chain/index.ts';
import { RpcError, type RpcCall } from '../../src/chain/rpc-types.ts';
import { KiteError } from '../../src/lib/index.ts';
import { FakeChain } from './backend-fake-chain.ts';

/**
 * A bitcoind-like HTTP front for an RpcCall: basic auth, JSON-RPC 1.0 replies (HTTP 500 with
 * an error object, 404 for an unknown method, 401 with an empty body on bad auth), batches.
 */
function serve(rpc: RpcCall, auth: { user: string; pass: string }, opts: { port?: number; warmupCalls?: number; hang?: boolean } = {}) {
  let warmup = opts.warmupCalls ?? 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (opts.hang) return;
      const expected = 'Basic ' + Buffer.from(`${auth.user}:${auth.pass}`).toString('base64');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"' }).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const one = async (r: { id: unknown; method: string; params: unknown[] }) => {
        if (warmup > 0) {
          warmup--;
          return { status: 500, reply: { result: null, error: { code: -28, message: 'Loading block index...' }, id: r.id } };
        }
        try {
          return { status: 200, reply: { result: await rpc(r.method, r.params ?? []), error: null, id: r.id } };
        } catch (e) {
          const err = e as RpcError;
          return { status: err.code === -32601 ? 404 : 500, reply: { result: null, error: { code: err.code, message: err.message }, id: r.id } };
        }
      };
      if (Array.isArray(body)) {
        const out = await Promise.all(body.map(one));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out.map((o) => o.reply)));
      } else {
        const o = await one(body);
        res.writeHead(o.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(o.reply));
      }
    });
  });
  return new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

describe('HTTP JSON-RPC client', () => {
  test('user/password auth, results, RPC errors and batches', async () => {
    const chain = new FakeChain();
    chain.mine(4, new Uint8Array([0x51]));
    const srv = await serve(chain.rpc, { user: 'u', pass: 'p' });
    const rpc = createHttpRpc({ port: srv.port, user: 'u', password: 'p' });
    try {
      const backend = new BitcoindBackend(rpc);
      assert.equal((await backend.getTip()).height, 4);
      assert.equal(await backend.getBlockHash(99), null, 'RPC -8 maps to null');
      await assert.rejects(rpc('nosuchmethod', []), (e: unknown) => e instanceof RpcError && e.code === -32601);
      const [count, bad, hash] = await rpc.batch([
        { method: 'getblockcount', params: [] },
        { method: 'getblockhash', params: [1000] },
        { method: 'getblockhash', params: [0] },
      ]);
      assert.equal(count, 4);
      assert.ok(bad instanceof RpcError && bad.code === -8);
      assert.equal(typeof hash, 'string');
    } finally {
      rpc.close();
      await srv.close();
    }
  });

  test('bad credentials are a clear error', async () => {
    const chain = new FakeChain();
    const srv = await serve(chain.rpc, { user: 'u', pass: 'p' });
    const rpc = createHttpRpc({ port: srv.port, user: 'u', password: 'wrong' });
    try {
      await assert.rejects(rpc('getblockcount', []), (e: unknown) => e instanceof KiteError && e.code === CHAIN_ERRORS.UNAVAILABLE && /credentials/.test(e.message));
    } finally {
      rpc.close();
      await srv.close();
    }
  });

  test('cookie auth; a server that goes away and comes back with a new cookie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-cookie-'));
    const cookieFile = join(dir, '.cookie');
    const chain = new FakeChain();
    writeFileSync(cookieFile, '__cookie__:aaaa');
    let srv = await serve(chain.rpc, { user: '__cookie__', pass: 'aaaa' });
    const port = srv.port;
    const rpc = createHttpRpc({ port, cookieFile, retryForMs: 5000, minBackoffMs: 20, maxBackoffMs: 100 });
    try {
      assert.equal(await rpc('getblockcount', []), 0);
      await srv.close();
      rmSync(cookieFile);
      const pending = rpc('getblockcount', []);
      await new Promise((r) => setTimeout(r, 250));
      chain.mine(2, new Uint8Array([0x51]));
      writeFileSync(cookieFile, '__cookie__:bbbb');
      srv = await serve(chain.rpc, { user: '__cookie__', pass: 'bbbb' }, { port });
      assert.equal(await pending, 2);
    } finally {
      rpc.close();
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('retries while the server warms up (-28)', async () => {
    const chain = new FakeChain();
    const srv = await serve(chain.rpc, { user: 'u', pass: 'p' }, { warmupCalls: 3 });
    const rpc = createHttpRpc({ port: srv.port, user: 'u', password: 'p', minBackoffMs: 10 });
    try {
      assert.equal(await rpc('getblockcount', []), 0);
    } finally {
      rpc.close();
      await srv.close();
    }
  });

  test('an absent server and a silent server fail clearly and in bounded time', async () => {
    const srv = await serve(new FakeChain().rpc, { user: 'u', pass: 'p' });
    const port = srv.port;
    await srv.close();
    const gone = createHttpRpc({ port, user: 'u', password: 'p', retryForMs: 200, minBackoffMs: 20 });
    const t0 = Date.now();
    await assert.rejects(gone('getblockcount', []), (e: unknown) => e instanceof KiteError && /unreachable/.test(e.message));
    assert.ok(Date.now() - t0 < 2000);
    gone.close();
    const silent = await serve(new FakeChain().rpc, { user: 'u', pass: 'p' }, { hang: true });
    const slow = createHttpRpc({ port: silent.port, user: 'u', password: 'p', timeoutMs: 150 });
    try {
      await assert.rejects(slow('getblockcount', []), (e: unknown) => e instanceof KiteError && /did not answer/.test(e.message));
    } finally {
      slow.close();
      await silent.close();
    }
  });
});
