import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressToScript, parseTx, txWeight, txid as computeTxid, type Tx } from '../../src/bitcoin/index.ts';
import { BitcoindBackend } from '../../src/chain/bitcoind/index.ts';
import { BlockWatcher, CHAIN_ERRORS, hashToHex, hexToHash } from '../../src/chain/index.ts';
import { KiteError, fromHex, sat } from '../../src/lib/index.ts';
import { schnorrVerify } from '../../src/crypto/index.ts';
import { SIGHASH_DEFAULT, taprootKeySpendSigHash } from '../../src/bitcoin/index.ts';
import { MemoryWalletStore, Wallet, WALLET_ERRORS, feeForWeight, mnemonicToSeed } from '../../src/wallet/index.ts';
import { FakeChain } from '../chain/backend-fake-chain.ts';

const OP_TRUE = new Uint8Array([0x51]);
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const OTHER_MNEMONIC = 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong';

/** faucet pays `value` to `script` from a fresh OP_TRUE coinbase (the fake chain checks P2WPKH only). */
function faucet(chain: FakeChain, script: Uint8Array, value: bigint): Tx {
  const cb = chain.mine(1, OP_TRUE)[0].txs[0];
  const tx: Tx = {
    version: 2,
    inputs: [{ txid: computeTxid(cb), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: [
      { value, script },
      { value: cb.outputs[0].value - value - 10_000n, script: OP_TRUE },
    ],
    locktime: 0,
  };
  chain.accept(tx);
  return tx;
}

async function setup(opts: { feerate?: number | null } = {}) {
  const chain = new FakeChain();
  chain.mine(3, OP_TRUE);
  if (opts.feerate !== undefined) chain.feerateBtcPerKvb = opts.feerate;
  const backend = new BitcoindBackend(chain.rpc, { fallbackFeerate: 1000 });
  const store = new MemoryWalletStore();
  const wallet = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store });
  const other = await Wallet.open({ seed: mnemonicToSeed(OTHER_MNEMONIC), network: 'regtest', chain: backend, store: new MemoryWalletStore() });
  return { chain, backend, store, wallet, other };
}

const script = (w: Wallet): Uint8Array => addressToScript(w.newAddress().bech32, 'regtest');

describe('Wallet on a fake Core-shaped chain', () => {
  test('receives: unconfirmed in the mempool, confirmed in a block', async () => {
    const { chain, wallet } = await setup();
    const addr = wallet.newAddress().bech32;
    assert.match(addr, /^bcrt1q/);
    const tx = faucet(chain, addressToScript(addr, 'regtest'), 1_000_000n);
    await wallet.sync();
    let funds = wallet.listFunds();
    assert.equal(funds.outputs.length, 1);
    assert.equal(funds.outputs[0].status, 'unconfirmed');
    assert.equal(funds.outputs[0].amount_msat, 1_000_000_000n);
    assert.equal(funds.outputs[0].address, addr);
    assert.equal(funds.outputs[0].txid, hashToHex(computeTxid(tx)));
    assert.deepEqual(funds.channels, []);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    funds = wallet.listFunds();
    assert.equal(funds.outputs[0].status, 'confirmed');
    assert.equal(funds.outputs[0].blockheight, chain.tip.height);
    assert.equal(wallet.balance().confirmed, 1_000_000n);
  });

  test('withdraw an amount: signed (checked by the chain), change, fee at the feerate', async () => {
    const { chain, wallet, other } = await setup();
    faucet(chain, script(wallet), 2_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const dest = other.newAddress().bech32;
    const r = await wallet.withdraw(dest, sat(500_000n), 2000);
    const tx = parseTx(fromHex(r.tx));
    assert.ok(chain.mempool.has(r.txid), 'accepted by the chain (signatures verified)');
    assert.equal(tx.outputs.length, 2);
    const paid = tx.outputs.find((o) => o.value === 500_000n)!;
    assert.deepEqual(paid.script, addressToScript(dest, 'regtest'));
    const change = tx.outputs.find((o) => o.value !== 500_000n)!;
    assert.equal(change.value, 2_000_000n - 500_000n - r.fee);
    assert.ok(r.fee >= feeForWeight(txWeight(tx), 2000), 'pays at least the feerate');
    assert.ok(r.fee <= feeForWeight(txWeight(tx) + 8, 2000), 'estimate is tight');
    assert.equal(tx.locktime, chain.tip.height, 'anti-fee-sniping locktime');
    const statuses = wallet.listFunds().outputs.map((o) => o.status).sort();
    assert.deepEqual(statuses, ['spent-pending', 'unconfirmed']);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    await other.sync();
    assert.deepEqual(wallet.listFunds().outputs.map((o) => o.status), ['confirmed']);
    assert.equal(wallet.balance().confirmed, change.value);
    assert.equal(other.balance().confirmed, 500_000n);
  });

  test('bad input is a KiteError naming the field and reserves nothing', async () => {
    const { chain, wallet } = await setup();
    faucet(chain, script(wallet), 100_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const before = JSON.stringify(wallet.listFunds(), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const cases: [Promise<unknown>, number, RegExp][] = [
      [wallet.withdraw('not-an-address', sat(1000n)), WALLET_ERRORS.INVALID_PARAMS, /destination/],
      [wallet.withdraw('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', sat(1000n)), WALLET_ERRORS.INVALID_PARAMS, /destination.*regtest/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(0n)), WALLET_ERRORS.INVALID_PARAMS, /satoshi/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(200_000n)), WALLET_ERRORS.FUND_CANNOT_AFFORD, /amount/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(100n)), WALLET_ERRORS.FUND_OUTPUT_IS_DUST, /dust/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(1000n), 10), WALLET_ERRORS.INVALID_PARAMS, /feerate/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(1000n), 'fast'), WALLET_ERRORS.INVALID_PARAMS, /feerate/],
      [wallet.withdraw(wallet.newAddress().bech32, sat(1000n), 10_000_000), WALLET_ERRORS.INVALID_PARAMS, /feerate/],
    ];
    for (const [p, code, msg] of cases) {
      await assert.rejects(p, (e: unknown) => e instanceof KiteError && e.code === code && msg.test(e.message));
    }
    const after = JSON.stringify(wallet.listFunds(), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    assert.equal(after, before);
    assert.equal(wallet.balance().reserved, 0n);
    assert.equal(chain.mempool.size, 0);
  });

  test('feerate strings: perkw, perkb, and estimates', async () => {
    const { wallet } = await setup({ feerate: 0.0001 }); // 10000 sat/kvB = 2500 sat/kw
    assert.equal(await wallet.resolveFeerate('3000perkw'), 3000);
    assert.equal(await wallet.resolveFeerate('4000perkb'), 1000);
    assert.equal(await wallet.resolveFeerate('normal'), 2500);
    assert.equal(await wallet.resolveFeerate(), 2500);
  });

  test('withdraw all leaves nothing, one output', async () => {
    const { chain, wallet, other } = await setup();
    faucet(chain, script(wallet), 300_000n);
    faucet(chain, script(wallet), 200_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const r = await wallet.withdraw(other.newAddress().bech32, 'all', 1000);
    const tx = parseTx(fromHex(r.tx));
    assert.equal(tx.inputs.length, 2);
    assert.equal(tx.outputs.length, 1);
    assert.equal(tx.outputs[0].value + r.fee, 500_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    assert.equal(wallet.listFunds().outputs.length, 0);
  });

  test('funding a script without broadcast reserves; release frees; broadcast spends', async () => {
    const { chain, wallet } = await setup();
    faucet(chain, script(wallet), 1_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const fundingScript = fromHex('0020' + '11'.repeat(32)); // a P2WSH, like a channel funding output
    const f = wallet.fundTransaction([{ script: fundingScript, value: sat(400_000n) }], 1000);
    assert.deepEqual(f.tx.outputs[f.outputIndexes[0]].script, fundingScript);
    assert.equal(f.tx.outputs[f.outputIndexes[0]].value, 400_000n);
    assert.equal(chain.mempool.size, 0, 'not broadcast');
    assert.equal(wallet.listFunds().outputs[0].reserved, true);
    assert.ok(wallet.listFunds().outputs[0].reserved_to_block! > chain.tip.height);
    assert.throws(() => wallet.fundTransaction([{ script: fundingScript, value: sat(400_000n) }], 1000), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD);
    wallet.release(f.txid);
    assert.equal(wallet.listFunds().outputs[0].reserved, false);
    const g = wallet.fundTransaction([{ script: fundingScript, value: sat(400_000n) }], 1000);
    await wallet.broadcast(g.tx);
    assert.ok(chain.mempool.has(hashToHex(g.txid)));
  });

  test('reservations expire after 72 blocks', async () => {
    const { chain, wallet } = await setup();
    faucet(chain, script(wallet), 1_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    wallet.fundTransaction([{ script: fromHex('0020' + '22'.repeat(32)), value: sat(10_000n) }], 1000);
    assert.equal(wallet.balance().reserved, 1_000_000n);
    chain.mine(73, OP_TRUE);
    await wallet.sync();
    assert.equal(wallet.balance().reserved, 0n);
  });

  test('RBF: bumpFee replaces our unconfirmed withdrawal', async () => {
    const { chain, wallet, other } = await setup();
    faucet(chain, script(wallet), 1_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const r = await wallet.withdraw(other.newAddress().bech32, sat(300_000n), 253);
    const bumped = await wallet.bumpFee(hexToHash(r.txid), 5000);
    assert.ok(!chain.mempool.has(r.txid), 'replaced');
    assert.ok(chain.mempool.has(hashToHex(bumped.txid)));
    assert.ok(bumped.fee > r.fee);
    assert.ok(Wallet.feerateOf(bumped.tx, bumped.fee) >= 5000);
    assert.equal(bumped.tx.outputs.find((o) => o.value === 300_000n)!.value, 300_000n, 'recipient unchanged');
    const funds = wallet.listFunds().outputs;
    assert.equal(funds.filter((o) => o.status === 'unconfirmed').length, 1, 'only the new change');
    assert.equal(funds.filter((o) => o.txid === r.txid).length, 0);
    await assert.rejects(wallet.bumpFee(hexToHash(r.txid), 9000), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.UNKNOWN_TX);
    await assert.rejects(wallet.bumpFee(bumped.txid, 1000), (e: unknown) => e instanceof KiteError && /feerate/.test(e.message));
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    assert.equal(wallet.balance().confirmed, 1_000_000n - 300_000n - bumped.fee);
    await assert.rejects(wallet.bumpFee(bumped.txid, 9000), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.ALREADY_CONFIRMED);
  });

  test('RBF of a send-all lowers the single output', async () => {
    const { chain, wallet, other } = await setup();
    faucet(chain, script(wallet), 1_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const r = await wallet.withdraw(other.newAddress().bech32, 'all', 253);
    const bumped = await wallet.bumpFee(hexToHash(r.txid), 3000);
    assert.equal(bumped.tx.outputs.length, 1);
    assert.equal(bumped.tx.outputs[0].value + bumped.fee, 1_000_000n);
    assert.ok(chain.mempool.has(hashToHex(bumped.txid)));
  });

  test('CPFP: a child brings the package to the feerate', async () => {
    const { chain, wallet, other } = await setup();
    faucet(chain, script(wallet), 1_000_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const r = await wallet.withdraw(other.newAddress().bech32, sat(300_000n), 253);
    const parent = parseTx(fromHex(r.tx));
    const child = await wallet.cpfp(hexToHash(r.txid), 5000);
    assert.ok(chain.mempool.has(hashToHex(child.txid)));
    const pkgRate = Number(((r.fee + child.fee) * 1000n) / BigInt(txWeight(parent) + txWeight(child.tx)));
    assert.ok(pkgRate >= 5000, `package feerate ${pkgRate}`);
    assert.equal(child.tx.inputs[0].vout, parent.outputs.findIndex((o) => o.value !== 300_000n));
    await assert.rejects(wallet.cpfp(new Uint8Array(32), 5000), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.UNKNOWN_TX);
  });

  test('reorgs: confirmed outputs go back to unconfirmed; coinbase outputs vanish', async () => {
    const { chain, wallet } = await setup();
    const s = script(wallet);
    faucet(chain, s, 1_000_000n);
    const blk = chain.mine(1, s)[0]; // coinbase to us too
    await wallet.sync();
    assert.equal(wallet.listFunds().outputs.length, 2);
    assert.equal(wallet.balance().confirmed, 1_000_000n, 'immature coinbase is not spendable');
    chain.invalidate(blk.height);
    chain.mine(2, OP_TRUE, { includeMempool: false });
    await wallet.sync();
    const outs = wallet.listFunds().outputs;
    assert.equal(outs.length, 1);
    assert.equal(outs[0].status, 'unconfirmed');
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    assert.equal(wallet.listFunds().outputs[0].status, 'confirmed');
  });

  test('state persists in the store; a restored mnemonic rescans the chain', async () => {
    const { chain, backend, store, wallet } = await setup();
    faucet(chain, script(wallet), 700_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    const reopened = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store });
    assert.deepEqual(reopened.listFunds(), wallet.listFunds());
    const used = wallet.listFunds().outputs[0].address;
    const restored = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store: new MemoryWalletStore(), birthHeight: 0 });
    assert.deepEqual(restored.listFunds().outputs.map((o) => o.address), [used]);
    assert.notEqual(restored.newAddress().bech32, used, 'a rescan skips used addresses');
    assert.equal(reopened.newAddress().bech32, wallet.newAddress().bech32, 'the index persisted');
    assert.equal(restored.balance().confirmed, 700_000n);
  });

  test('follows a BlockWatcher: mempool, blocks and reorgs arrive as events', async () => {
    const { chain, backend, wallet } = await setup();
    const watcher = new BlockWatcher(backend, { watchMempool: true });
    wallet.attach(watcher);
    await watcher.start();
    const s = script(wallet);
    const tx = faucet(chain, s, 400_000n); // mines one block, then the tx enters the mempool
    await watcher.poll();
    assert.equal(wallet.height, chain.tip.height);
    assert.deepEqual(wallet.listFunds().outputs.map((o) => o.status), ['unconfirmed']);
    const [blk] = chain.mine(1, OP_TRUE);
    await watcher.poll();
    assert.deepEqual(wallet.listFunds().outputs.map((o) => [o.status, o.blockheight]), [['confirmed', blk.height]]);
    chain.invalidate(blk.height);
    chain.mine(2, OP_TRUE, { includeMempool: false });
    await watcher.poll();
    assert.equal(wallet.height, chain.tip.height);
    assert.deepEqual(wallet.listFunds().outputs.map((o) => o.status), ['unconfirmed']);
    assert.ok(chain.mempool.has(hashToHex(computeTxid(tx))));
  });

  test('P2TR (BIP86) receive addresses are tracked and spent with key-path signatures', async () => {
    const { chain, wallet, other } = await setup();
    const a = wallet.newAddress('all');
    assert.match(a.p2tr, /^bcrt1p/);
    assert.match(a.bech32, /^bcrt1q/);
    assert.throws(() => wallet.newAddress('p2sh'), (e: unknown) => e instanceof KiteError && /addresstype/.test(e.message));
    faucet(chain, addressToScript(a.p2tr, 'regtest'), 400_000n);
    faucet(chain, addressToScript(a.bech32, 'regtest'), 300_000n);
    chain.mine(1, OP_TRUE);
    await wallet.sync();
    assert.deepEqual(wallet.listFunds().outputs.map((o) => o.address).sort(), [a.bech32, a.p2tr].sort());
    const r = await wallet.withdraw(other.newAddress().bech32, sat(600_000n), 1000);
    const tx = parseTx(fromHex(r.tx));
    assert.equal(tx.inputs.length, 2);
    assert.ok(chain.mempool.has(r.txid), 'P2WPKH input verified by the chain');
    const prevouts = tx.inputs.map((i) => {
      const u = wallet.getUtxo(i)!;
      return { value: u.value as bigint, script: u.script };
    });
    const trIndex = prevouts.findIndex((p) => p.script[0] === 0x51);
    const w = tx.inputs[trIndex].witness;
    assert.equal(w.length, 1);
    assert.equal(w[0].length, 64);
    const digest = taprootKeySpendSigHash(tx, trIndex, prevouts, SIGHASH_DEFAULT);
    assert.ok(schnorrVerify(w[0], digest, prevouts[trIndex].script.subarray(2)), 'BIP340 signature by the output key');
    assert.ok(r.fee >= feeForWeight(txWeight(tx), 1000));
  });

  test('a failed broadcast: rejection frees the inputs, an unreachable backend keeps them reserved', async () => {
    const { chain, backend, other } = await setup();
    const failing = (code: number, message: string) =>
      Object.assign(Object.create(backend) as BitcoindBackend, {
        broadcast: async () => {
          throw new KiteError(code, message);
        },
      });
    const dest = other.newAddress().bech32;
    for (const [code, message, reserved] of [
      [CHAIN_ERRORS.UNAVAILABLE, 'bitcoind RPC unreachable', 500_000n],
      [CHAIN_ERRORS.BROADCAST_REJECTED, 'transaction rejected: insufficient fee', 0n],
    ] as const) {
      const w = await Wallet.open({ seed: mnemonicToSeed(OTHER_MNEMONIC), network: 'regtest', chain: failing(code, message), store: new MemoryWalletStore() });
      faucet(chain, script(w), 500_000n);
      chain.mine(1, OP_TRUE);
      await w.sync();
      await assert.rejects(w.withdraw(dest, sat(100_000n), 1000), (e: unknown) => e instanceof KiteError && e.code === code);
      assert.equal(w.balance().reserved, reserved, message);
    }
  });
});
