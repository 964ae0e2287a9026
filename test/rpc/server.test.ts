/**
 * RPC transports: the unix socket speaks JSON-RPC 2.0 as Core Lightning's lightning-rpc
 * (unframed request objects, named or positional params, socket mode 0600), answers garbage
 * with a parse error, and HTTP requires the token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, METHODS, RpcClient, RpcErrors, startHttpRpc, startUnixRpc } from '../../src/rpc/index.ts';
import { KiteError } from '../../src/lib/errors.ts';

const id = '03' + 'cd'.repeat(32);
const d = createDispatcher(METHODS, { ping: async (p) => ({ echoed: p }) });

function raw(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path, () => s.write(text));
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      if (buf.endsWith('\n\n')) {
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', reject);
  });
}

test('unix socket: named and positional params, errors with codes, mode 0600', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kite-rpc-')), 'kite-rpc');
  const srv = await startUnixRpc(path, d);
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const c = new RpcClient(path);
    assert.deepEqual(await c.call('ping', { id, len: 3 }), { echoed: { id, len: 3 } });
    assert.deepEqual(await c.call('ping', [id]), { echoed: { id } });
    await assert.rejects(c.call('ping', ['zz']), (e: KiteError) => e.code === RpcErrors.INVALID_PARAMS && /'id'/.test(e.message));
    c.close();
    const two = await raw(path, JSON.stringify({ jsonrpc: '2.0', id: 'x', method: 'nosuch' }));
    assert.equal(JSON.parse(two).error.code, RpcErrors.METHOD_NOT_FOUND);
    assert.equal(JSON.parse(two).id, 'x');
    const bad = await raw(path, 'this is not json');
    assert.equal(JSON.parse(bad).error.code, RpcErrors.PARSE_ERROR);
    const notReq = await raw(path, '[1,2]');
    assert.equal(JSON.parse(notReq).error.code, RpcErrors.INVALID_REQUEST);
  } finally {
    await srv.close();
  }
});

test('a second daemon cannot take over a live socket', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kite-rpc-')), 'kite-rpc');
  const srv = await startUnixRpc(path, d);
  try {
    await assert.rejects(startUnixRpc(path, d), /already listening/);
  } finally {
    await srv.close();
  }
});

test('HTTP: POST /v1/<method> with the bearer token only', async () => {
  const srv = await startHttpRpc('127.0.0.1', 0, 'sekrit', d);
  try {
    const url = `http://127.0.0.1:${srv.port}/v1/ping`;
    const ok = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer sekrit' }, body: JSON.stringify({ id }) });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { echoed: { id } });
    assert.equal((await fetch(url, { method: 'POST', body: '{}' })).status, 401);
    const badParams = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer sekrit' }, body: JSON.stringify({ id: 'x' }) });
    assert.equal(badParams.status, 400);
    const badJson = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer sekrit' }, body: '{' });
    assert.equal(badJson.status, 400);
    const unknown = await fetch(`http://127.0.0.1:${srv.port}/v1/nosuch`, { method: 'POST', headers: { authorization: 'Bearer sekrit' } });
    assert.equal(unknown.status, 404);
  } finally {
    await srv.close();
  }
});
