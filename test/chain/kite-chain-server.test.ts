/**
 * The kite-chain HTTP server, driven as a bitcoind client would: cookie and user/password
 * auth, JSON-RPC 1.0 and 2.0, batches, HTTP status codes and error objects; and the
 * bin/kite-chain executable started from another directory.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ChainServer } from '../../src/chain/regtest/index.ts';
import { newChain } from './regtest-helpers.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function post(url: string, auth: string | null, body: unknown, path = ''): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = 'Basic ' + Buffer.from(auth).toString('base64');
  const res = await fetch(url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('kite-chain server', () => {
  test('cookie auth, 1.0 and 2.0 requests, batches and errors', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-chain-srv-'));
    const chain = newChain();
    chain.generate(2, new Uint8Array([0x51]));
    let stopped = false;
    const server = new ChainServer({ chain, port: 0, datadir: dir, onStop: () => (stopped = true) });
    await server.start();
    t.after(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const cookie = readFileSync(join(dir, '.cookie'), 'utf8');
    assert.match(cookie, /^__cookie__:[0-9a-f]{64}$/);
    const url = server.url;

    const one = await post(url, cookie, { jsonrpc: '1.0', id: 'x', method: 'getblockcount', params: [] });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, { result: 2, error: null, id: 'x' });

    const noAuth = await post(url, null, { id: 1, method: 'getblockcount' });
    assert.equal(noAuth.status, 401);
    assert.match(noAuth.headers.get('www-authenticate') ?? '', /Basic realm="jsonrpc"/);
    assert.equal((await post(url, '__cookie__:wrong', { id: 1, method: 'getblockcount' })).status, 401);

    const err = await post(url, cookie, { id: 7, method: 'getblockhash', params: [99] });
    assert.equal(err.status, 500);
    assert.deepEqual(err.json, { result: null, error: { code: -8, message: 'Block height out of range' }, id: 7 });
    const missing = await post(url, cookie, { id: 8, method: 'nope', params: [] });
    assert.equal(missing.status, 404);
    assert.deepEqual((missing.json as { error: unknown }).error, { code: -32601, message: 'Method not found' });

    const v2 = await post(url, cookie, { jsonrpc: '2.0', id: 3, method: 'getblockhash', params: { height: 0 } });
    assert.equal(v2.status, 200);
    assert.deepEqual(v2.json, { jsonrpc: '2.0', result: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206', id: 3 });
    const v2err = await post(url, cookie, { jsonrpc: '2.0', id: 4, method: 'getblockhash', params: [5] });
    assert.equal(v2err.status, 200);
    assert.deepEqual(v2err.json, { jsonrpc: '2.0', error: { code: -8, message: 'Block height out of range' }, id: 4 });

    const batch = await post(url, cookie, [
      { id: 1, method: 'getblockcount' },
      { id: 2, method: 'getbestblockhash', params: [] },
      { id: 3, method: 'nope' },
    ]);
    assert.equal(batch.status, 200);
    const arr = batch.json as { id: number; result: unknown; error: { code: number } | null }[];
    assert.equal(arr.length, 3);
    assert.equal(arr[0].result, 2);
    assert.equal(typeof arr[1].result, 'string');
    assert.equal(arr[2].error?.code, -32601);

    const wallet = await post(url, cookie, { id: 1, method: 'getblockcount' }, 'wallet/w1');
    assert.equal(wallet.status, 200);
    const parse = await post(url, cookie, '{not json');
    assert.equal((parse.json as { error: { code: number } }).error.code, -32700);
    const get = await fetch(url, { headers: { Authorization: 'Basic ' + Buffer.from(cookie).toString('base64') } });
    assert.equal(get.status, 405);
    await get.text();

    const stop = await post(url, cookie, { id: 9, method: 'stop' });
    assert.equal((stop.json as { result: string }).result, 'Bitcoin Core stopping');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(stopped, true);
    await server.stop();
    assert.equal(existsSync(join(dir, '.cookie')), false, 'cookie removed on stop');
  });

  test('rpcuser/rpcpassword auth', async (t) => {
    const server = new ChainServer({ chain: newChain(), port: 0, rpcUser: 'kite', rpcPassword: 'secret' });
    await server.start();
    t.after(() => server.stop());
    assert.equal((await post(server.url, 'kite:secret', { id: 1, method: 'getblockcount' })).status, 200);
    assert.equal((await post(server.url, 'kite:wrong', { id: 1, method: 'getblockcount' })).status, 401);
  });

  test('bin/kite-chain runs from another directory, funds its faucet, stops on the stop RPC and SIGTERM, and keeps its chain', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-chain-bin-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const launch = async (): Promise<{ url: string; child: ReturnType<typeof spawn>; exited: Promise<number | null> }> => {
      const child = spawn(join(REPO, 'bin/kite-chain'), [`-datadir=${dir}`, '--rpcport=0'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
      t.after(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      let out = '';
      let errText = '';
      child.stderr!.on('data', (d: Buffer) => (errText += d.toString()));
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`kite-chain did not start: ${out} ${errText}`)), 25_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /RPC on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1]);
          }
        });
        void exited.then((code) => reject(new Error(`kite-chain exited with ${code}: ${errText}`)));
      });
      return { url, child, exited };
    };
    const first = await launch();
    let cookie = readFileSync(join(dir, '.cookie'), 'utf8');
    assert.deepEqual((await post(first.url, cookie, { id: 1, method: 'getblockcount' })).json, { result: 101, error: null, id: 1 });
    const pay = await post(first.url, cookie, { id: 2, method: 'kite_faucet', params: ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 0.25] });
    assert.match(String((pay.json as { result: unknown }).result), /^[0-9a-f]{64}$/, JSON.stringify(pay.json));
    await post(first.url, cookie, { id: 3, method: 'kite_mine', params: [1] });
    await post(first.url, cookie, { id: 4, method: 'stop' });
    assert.equal(await first.exited, 0);
    assert.equal(existsSync(join(dir, '.cookie')), false);
    assert.ok(existsSync(join(dir, 'blocks.dat')));

    // Restart on the same datadir: the chain is replayed, not re-mined; SIGTERM stops it cleanly.
    const second = await launch();
    cookie = readFileSync(join(dir, '.cookie'), 'utf8');
    assert.deepEqual((await post(second.url, cookie, { id: 1, method: 'getblockcount' })).json, { result: 102, error: null, id: 1 });
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.equal(existsSync(join(dir, '.cookie')), false);
  });
});
