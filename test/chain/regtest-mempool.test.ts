/**
 * Mempool policy of the embedded chain (Bitcoin Core 30 defaults): each rejection reason,
 * replace-by-fee (BIP125 with full-RBF), ancestor limits, and CPFP package acceptance.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, OP, p2pkhScript } from '../../src/bitcoin/index.ts';
import { dustThreshold, rejectString, txDataFromTx, type AcceptResult } from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, matureChain, p2wsh, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');
const reason = (r: AcceptResult): string => (r.ok ? 'accepted' : rejectString(r));

describe('standardness and fees', () => {
  test('dust thresholds match Core at 3000 sat/kvB', () => {
    assert.equal(dustThreshold({ value: 0n, script: p2pkhScript(new Uint8Array(20)) }), 546n);
    assert.equal(dustThreshold({ value: 0n, script: bob.script }), 294n);
    assert.equal(dustThreshold({ value: 0n, script: p2wsh(Uint8Array.of(0x51)) }), 330n);
    assert.equal(dustThreshold({ value: 0n, script: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32)) }), 330n);
    assert.equal(dustThreshold({ value: 0n, script: Uint8Array.of(0x6a, 0x01, 0x01) }), 0n);
  });

  test('each policy rejection carries Core\'s reason', () => {
    const chain = matureChain(alice, 5);
    const c1 = coinbaseOf(chain, 1, alice);
    const c2 = coinbaseOf(chain, 2, alice);
    // A fee below 0.1 sat/vB.
    const cheap = spend([c1], [{ value: c1.value - 5n, script: bob.script }]);
    assert.match(reason(chain.acceptTx(cheap)), /^min relay fee not met, 5 < \d+$/);
    // Dust output.
    const dusty = spend([c1], [{ value: 293n, script: bob.script }, { value: c1.value - 10_000n, script: alice.script }]);
    assert.equal(reason(chain.acceptTx(dusty)), 'dust, tx with dust output must be 0-fee');
    // Non-standard output script.
    const weird = spend([c1], [{ value: c1.value - 10_000n, script: Uint8Array.of(OP.OP_1, OP.OP_DROP) }]);
    assert.equal(reason(chain.acceptTx(weird)), 'scriptpubkey');
    // Version out of range.
    const v4 = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }], { version: 4 });
    assert.equal(reason(chain.acceptTx(v4)), 'version');
    // Too small (non-witness size under 65 bytes).
    const tiny = spend([c1], [{ value: c1.value - 10_000n, script: Uint8Array.of(0x6a) }]);
    assert.equal(reason(chain.acceptTx(tiny)), 'tx-size-small');
    // Non-final locktime.
    const nonFinal = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }], { locktime: chain.height + 5 });
    assert.equal(reason(chain.acceptTx(nonFinal)), 'non-final');
    // Unknown input.
    const ghost = spend([{ ...c1, txid: new Uint8Array(32).fill(9) }], [{ value: 1_000_000n, script: bob.script }]);
    const g = chain.acceptTx(ghost);
    assert.equal(reason(g), 'bad-txns-inputs-missingorspent');
    assert.equal(!g.ok && g.missingInputs, true);
    // Premature coinbase spend.
    const young = spend([coinbaseOf(chain, chain.height - 50, alice)], [{ value: 1_000_000n, script: bob.script }]);
    assert.match(reason(chain.acceptTx(young)), /^bad-txns-premature-spend-of-coinbase/);
    // Accepted, then already known.
    const good = spend([c2], [{ value: c2.value - 10_000n, script: bob.script }]);
    assert.equal(reason(chain.acceptTx(good)), 'accepted');
    assert.equal(reason(chain.acceptTx(good)), 'txn-already-in-mempool');
    chain.generate(1, alice.script);
    assert.equal(chain.mempool.size, 0);
    assert.equal(reason(chain.acceptTx(good)), 'txn-already-known');
  });

  test('script failures are mandatory or non-mandatory as in Core', () => {
    const chain = matureChain(alice, 2);
    // <pubkey> CHECKSIG NOT: a wrong non-empty signature passes consensus but breaks NULLFAIL.
    const ws = compileScript([alice.pub, OP.OP_CHECKSIG, OP.OP_NOT]);
    const c1 = coinbaseOf(chain, 1, alice);
    const fund = spend([c1], [{ value: c1.value - 10_000n, script: p2wsh(ws) }]);
    chain.generateBlock(alice.script, [fund]);
    const input = { txid: fund.txid, vout: 0, value: c1.value - 10_000n, key: bob, witnessScript: ws };
    const t = spend([input], [{ value: input.value - 10_000n, script: bob.script }]);
    assert.equal(reason(chain.acceptTx(t)), 'non-mandatory-script-verify-flag (Signature must be zero for failed CHECK(MULTI)SIG operation)');
    // Still valid in a block: consensus does not include NULLFAIL.
    chain.generateBlock(alice.script, [t]);
    assert.equal(chain.coin(t.txid, 0)?.value, input.value - 10_000n);
    // A plain bad signature is a consensus failure.
    const c2 = coinbaseOf(chain, 2, alice);
    const bad = spend([{ ...c2, key: bob }], [{ value: c2.value - 10_000n, script: bob.script }]);
    assert.match(reason(chain.acceptTx(bad)), /^mandatory-script-verify-flag-failed \(/);
  });
});

describe('replace-by-fee', () => {
  test('full-RBF replacement must pay more in absolute fee and feerate, plus its bandwidth', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const first = spend([c], [{ value: c.value - 1_000n, script: bob.script }], { sequence: 0xffffffff });
    assert.equal(reason(chain.acceptTx(first)), 'accepted');
    // Same fee: rejected on feerate.
    const same = spend([c], [{ value: c.value - 1_000n, script: alice.script }], { sequence: 0xffffffff });
    assert.match(reason(chain.acceptTx(same)), /^insufficient fee, rejecting replacement [0-9a-f]{64}; new feerate/);
    // Higher fee by less than the incremental relay fee for its size.
    const slightly = spend([c], [{ value: c.value - 1_005n, script: alice.script }], { sequence: 0xffffffff });
    assert.match(reason(chain.acceptTx(slightly)), /^insufficient fee, rejecting replacement [0-9a-f]{64}, not enough additional fees to relay/);
    // Enough: the original (which did not signal BIP125) is replaced under full-RBF.
    const better = spend([c], [{ value: c.value - 2_000n, script: alice.script }], { sequence: 0xffffffff });
    const r = chain.acceptTx(better);
    assert.equal(reason(r), 'accepted');
    assert.equal(r.ok && r.replaced.length, 1);
    assert.equal(chain.mempool.get(first.txid), undefined);
    assert.ok(chain.mempool.get(better.txid));
  });

  test('without full-RBF a non-signalling transaction is not replaced', () => {
    const chain = matureChain(alice, 0, { fullRbf: false });
    const c = coinbaseOf(chain, 1, alice);
    const first = spend([c], [{ value: c.value - 1_000n, script: bob.script }], { sequence: 0xffffffff });
    assert.equal(reason(chain.acceptTx(first)), 'accepted');
    const better = spend([c], [{ value: c.value - 5_000n, script: alice.script }], { sequence: 0xffffffff });
    assert.equal(reason(chain.acceptTx(better)), 'txn-mempool-conflict');
  });

  test('a replacement evicts descendants and must outpay them all', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: c.value - 1_000n, script: bob.script }]);
    assert.equal(reason(chain.acceptTx(parent)), 'accepted');
    const child = spend([{ txid: parent.txid, vout: 0, value: c.value - 1_000n, key: bob }], [{ value: c.value - 51_000n, script: bob.script }]);
    assert.equal(reason(chain.acceptTx(child)), 'accepted');
    const repl = spend([c], [{ value: c.value - 20_000n, script: alice.script }]);
    assert.match(reason(chain.acceptTx(repl)), /less fees than conflicting txs/);
    const repl2 = spend([c], [{ value: c.value - 60_000n, script: alice.script }]);
    const r = chain.acceptTx(repl2);
    assert.equal(reason(r), 'accepted');
    assert.equal(r.ok && r.replaced.length, 2);
    assert.equal(chain.mempool.size, 1);
  });
});

describe('chains and packages', () => {
  test('more than 25 unconfirmed ancestors is too-long-mempool-chain', () => {
    const chain = matureChain(alice);
    let prev = coinbaseOf(chain, 1, alice);
    for (let i = 0; i < 25; i++) {
      const t = spend([prev], [{ value: prev.value - 1_000n, script: alice.script }]);
      assert.equal(reason(chain.acceptTx(t)), 'accepted', `tx ${i}`);
      prev = { txid: t.txid, vout: 0, value: prev.value - 1_000n, key: alice };
    }
    const t = spend([prev], [{ value: prev.value - 1_000n, script: alice.script }]);
    assert.match(reason(chain.acceptTx(t)), /^too-long-mempool-chain/);
    chain.generate(1, alice.script);
    assert.equal(chain.mempool.size, 0);
    assert.equal(reason(chain.acceptTx(t)), 'accepted');
  });

  test('CPFP: a zero-fee parent enters with a child paying for both', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: c.value, script: bob.script }], { version: 3 });
    assert.match(reason(chain.acceptTx(parent)), /^min relay fee not met/);
    const child = spend([{ txid: parent.txid, vout: 0, value: c.value, key: bob }], [{ value: c.value - 5_000n, script: alice.script }], { version: 3 });
    // The child alone has no parent to spend.
    assert.equal(reason(chain.acceptTx(child)), 'bad-txns-inputs-missingorspent');
    // A child that pays too little for both fails as a package.
    const stingy = spend([{ txid: parent.txid, vout: 0, value: c.value, key: bob }], [{ value: c.value - 10n, script: alice.script }], { version: 3 });
    const bad = chain.submitPackage([parent, stingy]);
    assert.equal(bad.packageError, 'transaction failed');
    assert.equal(chain.mempool.size, 0);
    const res = chain.submitPackage([parent, child]);
    assert.equal(res.packageError, undefined);
    assert.ok(res.results.every((r) => r.ok));
    assert.equal(chain.mempool.size, 2);
    assert.equal(res.results[0].effectiveFeeRatePerKvb, res.results[1].effectiveFeeRatePerKvb);
    chain.generate(1, alice.script);
    assert.equal(chain.mempool.size, 0);
    assert.equal(chain.coin(child.txid, 0)?.value, c.value - 5_000n);
  });

  test('a mined block removes conflicting mempool transactions', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const inPool = spend([c], [{ value: c.value - 1_000n, script: bob.script }]);
    const child = spend([{ txid: inPool.txid, vout: 0, value: c.value - 1_000n, key: bob }], [{ value: c.value - 3_000n, script: bob.script }]);
    assert.equal(reason(chain.acceptTx(inPool)), 'accepted');
    assert.equal(reason(chain.acceptTx(child)), 'accepted');
    const other = txDataFromTx(spend([c], [{ value: c.value - 900n, script: alice.script }]).tx);
    chain.generateBlock(alice.script, [other]);
    assert.equal(chain.mempool.size, 0);
  });
});

describe('TRUC (version 3) topology', () => {
  test('v3 and non-v3 do not mix unconfirmed, a v3 parent has one small child', () => {
    const chain = matureChain(alice);
    const c = coinbaseOf(chain, 1, alice);
    const parent = spend([c], [{ value: 1_000_000_000n, script: bob.script }, { value: c.value - 1_000_010_000n, script: bob.script }], { version: 3 });
    assert.equal(reason(chain.acceptTx(parent)), 'accepted');
    const in0 = { txid: parent.txid, vout: 0, value: 1_000_000_000n, key: bob };
    const in1 = { txid: parent.txid, vout: 1, value: c.value - 1_000_010_000n, key: bob };
    const v2child = spend([in0], [{ value: in0.value - 10_000n, script: alice.script }], { version: 2 });
    assert.match(reason(chain.acceptTx(v2child)), /^TRUC-violation, non-version=3 tx [0-9a-f]{64} cannot spend from version=3 tx/);
    // A v3 child larger than 1000 vB.
    const big = spend([in0], Array.from({ length: 40 }, () => ({ value: 20_000_000n, script: alice.script })), { version: 3 });
    assert.match(reason(chain.acceptTx(big)), /^TRUC-violation, version=3 child tx [0-9a-f]{64} is too big/);
    const child = spend([in0], [{ value: in0.value - 10_000n, script: alice.script }], { version: 3 });
    assert.equal(reason(chain.acceptTx(child)), 'accepted');
    const sibling = spend([in1], [{ value: in1.value - 10_000n, script: alice.script }], { version: 3 });
    assert.match(reason(chain.acceptTx(sibling)), /^TRUC-violation, tx [0-9a-f]{64} would exceed descendant count limit/);
    const grandchild = spend([{ txid: child.txid, vout: 0, value: in0.value - 10_000n, key: alice }], [{ value: in0.value - 20_000n, script: alice.script }], { version: 3 });
    assert.match(reason(chain.acceptTx(grandchild)), /^TRUC-violation, tx [0-9a-f]{64} would have too many ancestors/);
  });
});
