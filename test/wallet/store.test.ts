import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitcoindBackend } from '../../src/chain/bitcoind/index.ts';
import { sat } from '../../src/lib/index.ts';
import { hashToHex, hexToHash } from '../../src/chain/index.ts';
import { JsonFileWalletStore, MemoryWalletStore, Wallet, mnemonicToSeed } from '../../src/wallet/index.ts';
import { addressToScript, txid as computeTxid, type Tx } from '../../src/bitcoin/index.ts';
import { FakeChain } from '../chain/backend-fake-chain.ts';

const OP_TRUE = new Uint8Array([0x51]);
const SEED = mnemonicToSeed('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about');

describe('wallet stores', () => {
  test('MemoryWalletStore and JsonFileWalletStore get/put/delete', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-wstore-'));
    try {
      const path = join(dir, 'sub', 'wallet.json');
      for (const store of [new MemoryWalletStore(), new JsonFileWalletStore(path)]) {
        assert.equal(store.get('a'), undefined);
        store.put('a', '1');
        store.put('b', '2');
        store.delete('b');
        assert.equal(store.get('a'), '1');
        assert.equal(store.get('b'), undefined);
        assert.equal(store.get('toString'), undefined, 'no prototype leaks');
      }
      assert.equal(new JsonFileWalletStore(path).get('a'), '1', 'reloaded from disk');
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wallet restarted on its JSON file keeps UTXOs, reservations and its own txs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-wstore-'));
    try {
      const chain = new FakeChain();
      const backend = new BitcoindBackend(chain.rpc, { fallbackFeerate: 1000 });
      const path = join(dir, 'wallet.json');
      const w1 = await Wallet.open({ seed: SEED, network: 'regtest', chain: backend, store: new JsonFileWalletStore(path) });
      const cb = chain.mine(1, OP_TRUE)[0].txs[0];
      const pay: Tx = {
        version: 2,
        inputs: [{ txid: computeTxid(cb), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
        outputs: [
          { value: 1_000_000n, script: addressToScript(w1.newAddress().bech32, 'regtest') },
          { value: 2_000_000n, script: addressToScript(w1.newAddress().bech32, 'regtest') },
        ],
        locktime: 0,
      };
      chain.accept(pay);
      chain.mine(1, OP_TRUE);
      await w1.sync();
      const sent = await w1.withdraw(w1.newAddress().bech32, sat(100_000n), 1000);
      const held = w1.fundTransaction([{ script: new Uint8Array([0x00, 0x20, ...new Uint8Array(32).fill(5)]), value: sat(50_000n) }], 1000);
      assert.ok(JSON.parse(readFileSync(path, 'utf8'))['wallet/state']);
      const w2 = await Wallet.open({ seed: SEED, network: 'regtest', chain: backend, store: new JsonFileWalletStore(path) });
      assert.deepEqual(w2.listFunds(), w1.listFunds());
      assert.ok(w2.getOwnTx(held.txid), 'built tx remembered');
      assert.equal(w2.getOwnTx(held.txid)?.broadcast, false);
      assert.equal(w2.balance().reserved, w1.balance().reserved);
      // The restarted wallet can still replace the transaction it broadcast before.
      const bumped = await w2.bumpFee(hexToHash(sent.txid), 3000);
      assert.ok(chain.mempool.has(hashToHex(bumped.txid)));
      assert.ok(!chain.mempool.has(sent.txid));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
