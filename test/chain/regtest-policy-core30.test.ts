/**
 * The embedded chain follows Bitcoin Core 30's relay defaults: five kinds of transactions
 * that Core 30 relays and Core 28 refused — 0.5 sat/vB (minrelaytxfee 0.1 sat/vB), a
 * replacement adding 0.5 sat/vB (incrementalrelayfee 0.1 sat/vB), an 81-byte OP_RETURN and
 * two OP_RETURN outputs (datacarrier limits lifted), and a zero-fee TRUC parent whose dust
 * its child spends (ephemeral dust) — and the rules that remain.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rejectString, type AcceptResult } from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, matureChain, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');
const reason = (r: AcceptResult): string => (r.ok ? 'accepted' : rejectString(r));
const opReturn = (n: number): Uint8Array => Uint8Array.of(0x6a, 0x4c, n, ...new Uint8Array(n).fill(7));

describe('Core 30 relay policy', () => {
  test('a feerate of 0.5 sat/vB is relayed; below 0.1 sat/vB is not', () => {
    const chain = matureChain(alice, 1);
    const c1 = coinbaseOf(chain, 1, alice);
    const probe = spend([c1], [{ value: c1.value - 1000n, script: bob.script }]);
    const vsize = Math.ceil(probe.weight / 4);
    const half = spend([c1], [{ value: c1.value - BigInt(Math.ceil(vsize / 2)), script: bob.script }]);
    assert.equal(reason(chain.acceptTx(half)), 'accepted');
    const c2 = coinbaseOf(chain, 2, alice);
    const tooLow = spend([c2], [{ value: c2.value - BigInt(Math.floor(vsize / 20)), script: bob.script }]);
    assert.match(reason(chain.acceptTx(tooLow)), /^min relay fee not met, \d+ < \d+$/);
  });

  test('a replacement adding 0.5 sat/vB is accepted; adding less than 0.1 sat/vB is not', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const first = spend([c], [{ value: c.value - 1000n, script: bob.script }]);
    const vsize = BigInt(Math.ceil(first.weight / 4));
    assert.equal(reason(chain.acceptTx(first)), 'accepted');
    const stingy = spend([c], [{ value: c.value - 1000n - vsize / 20n, script: alice.script }]);
    assert.match(reason(chain.acceptTx(stingy)), /not enough additional fees to relay/);
    const repl = spend([c], [{ value: c.value - 1000n - vsize / 2n, script: alice.script }]);
    assert.equal(reason(chain.acceptTx(repl)), 'accepted');
    assert.equal(chain.mempool.size, 1);
    assert.ok(chain.mempool.get(repl.txid));
  });

  test('an 81-byte OP_RETURN and two OP_RETURN outputs are standard; the data-carrier budget is shared', () => {
    const chain = matureChain(alice, 1);
    const c1 = coinbaseOf(chain, 1, alice);
    const big = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }, { value: 0n, script: opReturn(81) }]);
    assert.equal(reason(chain.acceptTx(big)), 'accepted');
    const c2 = coinbaseOf(chain, 2, alice);
    const two = spend([c2], [{ value: c2.value - 10_000n, script: bob.script }, { value: 0n, script: opReturn(20) }, { value: 0n, script: opReturn(30) }]);
    assert.equal(reason(chain.acceptTx(two)), 'accepted');
    // -datacarriersize=60: 23 + 33 + 4 bytes fit exactly, 23 + 33 + 5 do not.
    const small = matureChain(alice, 1, { maxDataCarrierBytes: 60 });
    const d1 = coinbaseOf(small, 1, alice);
    const three = spend([d1], [{ value: d1.value - 10_000n, script: bob.script }, { value: 0n, script: opReturn(20) }, { value: 0n, script: opReturn(30) }, { value: 0n, script: opReturn(2) }]);
    const fits = spend([d1], [{ value: d1.value - 10_000n, script: bob.script }, { value: 0n, script: opReturn(20) }, { value: 0n, script: opReturn(30) }, { value: 0n, script: opReturn(1) }]);
    assert.equal(reason(small.acceptTx(fits, { testOnly: true })), "accepted");
    assert.equal(reason(small.acceptTx(three)), 'datacarrier');
  });

  test('ephemeral dust: a zero-fee TRUC parent with one dust output enters with the child that spends it', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: c.value, script: bob.script }, { value: 0n, script: alice.script }], { version: 3 });
    assert.match(reason(chain.acceptTx(parent)), /^min relay fee not met/);
    const child = spend([{ txid: parent.txid, vout: 0, value: c.value, key: bob }, { txid: parent.txid, vout: 1, value: 0n, key: alice }], [{ value: c.value - 5_000n, script: alice.script }], { version: 3 });
    const res = chain.submitPackage([parent, child]);
    assert.equal(res.packageError, undefined, JSON.stringify(res.results.map((r) => r.error)));
    assert.equal(chain.mempool.size, 2);
    chain.generate(1, alice.script);
    assert.equal(chain.coin(parent.txid, 1), undefined, 'the dust never reaches the UTXO set');
  });

  test('ephemeral dust rules: unspent dust, dust with a fee, two dust outputs, and non-TRUC parents below the relay fee', () => {
    const chain = matureChain(alice, 3);
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: c.value, script: bob.script }, { value: 0n, script: alice.script }], { version: 3 });
    const leaves = spend([{ txid: parent.txid, vout: 0, value: c.value, key: bob }], [{ value: c.value - 5_000n, script: alice.script }], { version: 3 });
    const bad = chain.submitPackage([parent, leaves]);
    assert.equal(bad.packageError, 'unspent-dust');
    assert.match(bad.results[1].error ?? '', /^missing-ephemeral-spends, tx [0-9a-f]{64} \(wtxid=[0-9a-f]{64}\) did not spend parent's ephemeral dust$/);
    assert.equal(chain.mempool.size, 0);
    const c2 = coinbaseOf(chain, 2, alice);
    const paying = spend([c2], [{ value: c2.value - 10_000n, script: bob.script }, { value: 0n, script: alice.script }], { version: 3 });
    assert.equal(reason(chain.acceptTx(paying)), 'dust, tx with dust output must be 0-fee');
    const twoDust = spend([c2], [{ value: c2.value, script: bob.script }, { value: 0n, script: alice.script }, { value: 1n, script: bob.script }], { version: 3 });
    assert.equal(reason(chain.acceptTx(twoDust)), 'dust');
    // A version 2 parent below the minimum relay fee cannot be carried by its child (Core 28+).
    const c3 = coinbaseOf(chain, 3, alice);
    const v2parent = spend([c3], [{ value: c3.value, script: bob.script }]);
    const v2child = spend([{ txid: v2parent.txid, vout: 0, value: c3.value, key: bob }], [{ value: c3.value - 50_000n, script: alice.script }]);
    const r = chain.submitPackage([v2parent, v2child]);
    assert.equal(r.packageError, 'transaction failed');
    assert.match(r.results[0].error ?? '', /^min relay fee not met/);
  });

  test('a raised mempool minimum is met by a package (the anchor CPFP case)', () => {
    const chain = matureChain(alice, 1, { mempoolMinFeePerKvb: 5000n });
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: c.value - 200n, script: bob.script }]);
    assert.match(reason(chain.acceptTx(parent)), /^mempool min fee not met, 200 < \d+$/);
    const child = spend([{ txid: parent.txid, vout: 0, value: c.value - 200n, key: bob }], [{ value: c.value - 5_000n, script: alice.script }]);
    const res = chain.submitPackage([parent, child]);
    assert.equal(res.packageError, undefined, JSON.stringify(res.results.map((x) => x.error)));
    assert.equal(chain.mempool.size, 2);
  });
});
