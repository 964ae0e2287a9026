import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitcoindBackend, createHttpRpc } from '../../src/chain/bitcoind/index.ts';
import { BlockWatcher, CHAIN_ERRORS, hashToHex, type ChainEvent } from '../../src/chain/index.ts';
import { RpcError } from '../../src/chain/rpc-types.ts';
import { ChainServer, RegtestChain } from '../../src/chain/regtest/index.ts';
import { KiteError } from '../../src/lib/index.ts';

describe('bitcoind HTTP client against the kite-chain server', () => {
  test('cookie auth, backend calls, batch, errors; the server goes away and comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-chain-http-'));
    let t = 1_700_000_000;
    const chain = new RegtestChain({ clock: () => t++ });
    let server = new ChainServer({ chain, port: 0, datadir: dir });
    const port = await server.start();
    const rpc = createHttpRpc({ port, cookieFile: join(dir, '.cookie'), retryForMs: 8000, minBackoffMs: 20, maxBackoffMs: 200 });
    try {
      const backend = new BitcoindBackend(rpc);
      const watcher = new BlockWatcher(backend);
      const events: ChainEvent[] = [];
      watcher.subscribe((e) => events.push(e));
      await watcher.start();
      assert.equal((await backend.getTip()).height, 0);
      await rpc('kite_mine', [3]);
      await watcher.poll();
      assert.equal(events.filter((e) => e.type === 'block_connected').length, 3);
      const [count, bad] = await rpc.batch([
        { method: 'getblockcount', params: [] },
        { method: 'getblockhash', params: [99] },
      ]);
      assert.equal(count, 3);
      assert.ok(bad instanceof RpcError && bad.code === -8);
      await assert.rejects(rpc('nosuchmethod', []), (e: unknown) => e instanceof RpcError && e.code === -32601);
      assert.equal(await backend.getBlockHash(99), null);

      // Stop the server (its cookie goes away), start a new one on the same port with a new
      // cookie while a call is waiting: the client retries and re-reads the cookie.
      await server.stop();
      const waiting = backend.getTip();
      await new Promise((r) => setTimeout(r, 200));
      server = new ChainServer({ chain, port, datadir: dir });
      await server.start();
      assert.equal(hashToHex((await waiting).hash), hashToHex((await backend.getBlockHash(3))!));
    } finally {
      rpc.close();
      await server.stop();
      chain.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('user/password auth and a wrong password', async () => {
    const chain = new RegtestChain({ clock: () => 1_700_000_000 });
    const server = new ChainServer({ chain, port: 0, rpcUser: 'kite', rpcPassword: 'secret' });
    const port = await server.start();
    const good = createHttpRpc({ port, user: 'kite', password: 'secret' });
    const bad = createHttpRpc({ port, user: 'kite', password: 'nope' });
    try {
      assert.equal(await good('getblockcount', []), 0);
      await assert.rejects(bad('getblockcount', []), (e: unknown) => e instanceof KiteError && e.code === CHAIN_ERRORS.UNAVAILABLE && /credentials/.test(e.message));
    } finally {
      good.close();
      bad.close();
      await server.stop();
      chain.close();
    }
  });
});
