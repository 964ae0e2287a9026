import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeTx, txid as computeTxid, type Tx } from '../../src/bitcoin/index.ts';
import { BitcoindBackend, BroadcastError, btcToSat, splitBlock } from '../../src/chain/bitcoind/index.ts';
import { CHAIN_ERRORS, FEERATE_FLOOR_SAT_PER_KW, hashToHex, hexToHash } from '../../src/chain/index.ts';
import { RpcError } from '../../src/chain/rpc-types.ts';
import { concatBytes, equalBytes } from '../../src/lib/index.ts';
import { FakeChain } from './backend-fake-chain.ts';

const OP_TRUE = new Uint8Array([0x51]);

/** A transaction spending an OP_TRUE coinbase output (the fake chain checks only P2WPKH). */
function spend(prev: Tx, vout: number, value: bigint, n = 0): Tx {
  return {
    version: 2,
    inputs: [{ txid: computeTxid(prev), vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: [{ value, script: concatBytes(OP_TRUE, new Uint8Array(n)) }],
    locktime: 0,
  };
}

describe('BitcoindBackend over Core-shaped RPC', () => {
  test('tip, block hashes and blocks', async () => {
    const chain = new FakeChain();
    chain.mine(3, OP_TRUE);
    const b = new BitcoindBackend(chain.rpc);
    const tip = await b.getTip();
    assert.equal(tip.height, 3);
    assert.ok(equalBytes(tip.hash, chain.tip.hash));
    assert.equal(await b.getBlockHash(4), null);
    assert.equal(await b.getBlockHash(-1), null);
    const h2 = (await b.getBlockHash(2))!;
    const blk = (await b.getBlock(h2))!;
    assert.equal(blk.height, 2);
    assert.ok(equalBytes(blk.prevHash, chain.active[1].hash));
    assert.equal(blk.txs.length, 1);
    assert.ok(equalBytes(computeTxid(blk.txs[0]), computeTxid(chain.active[2].txs[0])));
    assert.equal(await b.getBlock(new Uint8Array(32).fill(9)), null);
    assert.equal(await b.getBlockHeader(new Uint8Array(32).fill(9)), null);
  });

  test('splitBlock finds every transaction boundary, witness or not', () => {
    const chain = new FakeChain();
    const cb = chain.active[0].txs[0];
    const a = spend(cb, 0, 1000n);
    const w = { ...spend(cb, 0, 2000n, 40), inputs: [{ ...spend(cb, 0, 1n).inputs[0], witness: [new Uint8Array(300), new Uint8Array(0)] }] };
    const raw = concatBytes(chain.active[0].header, new Uint8Array([3]), serializeTx(cb), serializeTx(a), serializeTx(w));
    const { header, txs } = splitBlock(raw);
    assert.ok(equalBytes(header.hash, chain.active[0].hash));
    assert.deepEqual(txs.map((t) => t.length), [serializeTx(cb).length, serializeTx(a).length, serializeTx(w).length]);
    assert.throws(() => splitBlock(concatBytes(raw, new Uint8Array([0]))), /trailing/);
    assert.throws(() => splitBlock(raw.subarray(0, raw.length - 1)));
  });

  test('transactions, UTXOs and the mempool', async () => {
    const chain = new FakeChain();
    chain.mine(1, OP_TRUE);
    const b = new BitcoindBackend(chain.rpc);
    const cb = chain.active[1].txs[0];
    const id = computeTxid(cb);
    const found = (await b.getTransaction(id))!;
    assert.equal(found.confirmations, 1);
    assert.equal(found.blockHeight, 1);
    const utxo = (await b.getUtxo({ txid: id, vout: 0 }))!;
    assert.equal(utxo.value, 50_0000_0000n);
    assert.equal(utxo.coinbase, true);
    const tx = spend(cb, 0, 49_9999_0000n);
    const r = await b.broadcast(tx);
    assert.equal(r.alreadyKnown, false);
    assert.ok(equalBytes(r.txid, computeTxid(tx)));
    assert.deepEqual((await b.getMempoolTxids()).map(hashToHex), [hashToHex(computeTxid(tx))]);
    assert.equal(await b.getUtxo({ txid: id, vout: 0 }, true), null, 'spent in mempool');
    assert.ok(await b.getUtxo({ txid: id, vout: 0 }, false));
    assert.equal((await b.getTransaction(computeTxid(tx)))!.confirmations, 0);
    assert.equal(await b.getTransaction(new Uint8Array(32)), null);
    // Idempotent: in the mempool, then in a block.
    assert.equal((await b.broadcast(tx)).alreadyKnown, true);
    chain.mine(1, OP_TRUE);
    assert.equal((await b.broadcast(tx)).alreadyKnown, true);
  });

  test('rejections become BroadcastError with Core\'s reason', async () => {
    const chain = new FakeChain();
    chain.mine(1, OP_TRUE);
    const b = new BitcoindBackend(chain.rpc);
    const cb = chain.active[1].txs[0];
    await assert.rejects(b.broadcast(spend(cb, 0, 50_0000_0000n)), (e: unknown) => e instanceof BroadcastError && /min relay fee not met/.test(e.reason) && e.code === CHAIN_ERRORS.BROADCAST_REJECTED);
    await assert.rejects(b.broadcast(spend(cb, 5, 1n)), (e: unknown) => e instanceof BroadcastError && e.reason === 'bad-txns-inputs-missingorspent');
    // Unrelated RPC failures pass through unchanged.
    const broken = new BitcoindBackend(async () => {
      throw new RpcError(-32601, 'Method not found');
    });
    await assert.rejects(broken.getTip(), (e: unknown) => e instanceof RpcError && e.code === -32601);
  });

  test('submitPackage gets a zero-fee parent in with its child', async () => {
    const chain = new FakeChain();
    chain.mine(1, OP_TRUE);
    const b = new BitcoindBackend(chain.rpc);
    const parent = spend(chain.active[1].txs[0], 0, 50_0000_0000n); // pays no fee
    await assert.rejects(b.broadcast(parent), BroadcastError);
    const child = spend(parent, 0, 50_0000_0000n - 1000n);
    const r = await b.submitPackage([parent, child]);
    assert.equal(r.txids.length, 2);
    assert.equal(chain.mempool.size, 2);
    const poor = spend(child, 0, 50_0000_0000n - 1000n);
    const poorChild = spend(poor, 0, 50_0000_0000n - 1000n);
    await assert.rejects(b.submitPackage([poor, poorChild]), (e: unknown) => e instanceof BroadcastError && /min relay fee/.test(e.reason));
  });

  test('fee estimates are converted from BTC/kvB to sat/kw with the 253 floor', async () => {
    const chain = new FakeChain();
    const b = new BitcoindBackend(chain.rpc);
    chain.feerateBtcPerKvb = 0.0002; // 20000 sat/kvB = 5000 sat/kw
    assert.equal(await b.estimateFeerate(6), 5000);
    chain.feerateBtcPerKvb = 0.000001; // 100 sat/kvB = 25 sat/kw, below the floor
    assert.equal(await b.estimateFeerate(6), FEERATE_FLOOR_SAT_PER_KW);
    chain.feerateBtcPerKvb = null;
    await assert.rejects(b.estimateFeerate(6), (e: unknown) => (e as { code?: number }).code === CHAIN_ERRORS.NO_FEE_ESTIMATE);
    assert.equal(await new BitcoindBackend(chain.rpc, { fallbackFeerate: 1234 }).estimateFeerate(2), 1234);
  });

  test('amount and hash helpers', () => {
    assert.equal(btcToSat(0.1), 10_000_000n);
    assert.equal(btcToSat(20999999.97690000), 2_099_999_997_690_000n);
    assert.equal(btcToSat(0.00000001), 1n);
    assert.throws(() => btcToSat('1'));
    const h = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
    assert.equal(hashToHex(hexToHash(h)), h);
    assert.throws(() => hexToHash('zz'));
  });
});
