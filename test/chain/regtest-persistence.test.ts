/**
 * Persistence of the embedded chain: blocks, UTXO set, invalidated blocks and the mempool
 * survive a restart from the data directory; a torn last record is dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FileBlockStore, hashToHexString } from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, newChain, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');

test('a restarted chain keeps its blocks, UTXO set, invalidations and mempool', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-chain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const chain = newChain({ store: new FileBlockStore(dir) });
  chain.generate(102, alice.script);
  const c = coinbaseOf(chain, 1, alice);
  const mined = spend([c], [{ value: c.value - 10_000n, script: bob.script }]);
  chain.generateBlock(alice.script, [mined]);
  chain.generate(2, alice.script);
  const invalid = chain.tip;
  chain.invalidateBlock(invalid.hash);
  const c2 = coinbaseOf(chain, 2, alice);
  const pending = spend([c2], [{ value: c2.value - 10_000n, script: bob.script }]);
  assert.equal(chain.acceptTx(pending).ok, true);
  const tip = hashToHexString(chain.tip.hash);
  const height = chain.height;
  const utxos = [...chain.utxo.keys()].sort();
  chain.close();

  const again = newChain({ store: new FileBlockStore(dir) });
  assert.equal(again.height, height);
  assert.equal(hashToHexString(again.tip.hash), tip);
  assert.deepEqual([...again.utxo.keys()].sort(), utxos);
  assert.equal(again.entryByHash(invalid.hash)?.invalid, true);
  assert.ok(again.mempool.get(pending.txid), 'mempool restored');
  assert.equal(again.findTx(mined.txid)?.block?.height, 103);
  again.close();

  // A torn write at the end of the block file is ignored.
  appendFileSync(join(dir, 'blocks.dat'), Uint8Array.of(0xff, 0x00, 0x00, 0x00, 1, 2, 3));
  const third = newChain({ store: new FileBlockStore(dir) });
  assert.equal(third.height, height);
  third.generate(1, alice.script);
  third.close();
  const fourth = newChain({ store: new FileBlockStore(dir) });
  assert.equal(fourth.height, height + 1);
  fourth.close();
});
