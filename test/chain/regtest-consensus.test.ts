/**
 * Consensus rules of the embedded regtest chain: genesis, mining and subsidy, coinbase
 * maturity, double spends, merkle root, proof of work, scripts, BIP65/BIP68/BIP112
 * timelocks, witness commitment and coinbase value.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, scriptNumEncode, OP, p2trScript, taprootKeySpendSigHash } from '../../src/bitcoin/index.ts';
import { schnorrPublicKey, schnorrSign } from '../../src/crypto/index.ts';
import {
  REGTEST_GENESIS_HASH,
  blockMerkleRoot,
  blockSubsidy,
  grindNonce,
  hashToHexString,
  headerHash,
  regtestGenesisBlock,
  serializeBlock,
  parseBlock,
  POW_LIMIT,
  hashToBigint,
  compactToTarget,
  txDataFromTx,
  connectBlock,
  disconnectBlock,
  type Block,
} from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, matureChain, newChain, p2wsh, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');

/** resolve changes a block and re-solves its proof of work. */
function resolve(b: Block): Block {
  return { header: grindNonce({ ...b.header, merkleRoot: blockMerkleRoot(b.txs).root }, POW_LIMIT).header, txs: b.txs };
}

describe('blocks and proof of work', () => {
  test('the regtest genesis block has its published hash', () => {
    assert.equal(hashToHexString(headerHash(regtestGenesisBlock().header)), REGTEST_GENESIS_HASH);
    const chain = newChain();
    assert.equal(chain.height, 0);
    assert.equal(hashToHexString(chain.tip.hash), REGTEST_GENESIS_HASH);
  });

  test('blocks round-trip through serialization and meet their target', () => {
    const chain = newChain();
    chain.generate(3, alice.script);
    const b = chain.tip.block;
    const again = parseBlock(serializeBlock(b));
    assert.equal(hashToHexString(headerHash(again.header)), hashToHexString(chain.tip.hash));
    assert.ok(hashToBigint(chain.tip.hash) <= (compactToTarget(0x207fffff) as bigint));
  });

  test('subsidy is 50 BTC and halves every 150 blocks', () => {
    assert.equal(blockSubsidy(1), 5_000_000_000n);
    assert.equal(blockSubsidy(149), 5_000_000_000n);
    assert.equal(blockSubsidy(150), 2_500_000_000n);
    assert.equal(blockSubsidy(300), 1_250_000_000n);
    const chain = newChain();
    chain.generate(151, alice.script);
    assert.equal(chain.entryAt(149)!.block.txs[0].tx.outputs[0].value, 5_000_000_000n);
    assert.equal(chain.entryAt(150)!.block.txs[0].tx.outputs[0].value, 2_500_000_000n);
  });

  test('a block with a wrong merkle root is rejected', () => {
    const chain = newChain();
    chain.generate(1, alice.script);
    const b = chain.createBlock(alice.script);
    const bad: Block = { header: grindNonce({ ...b.header, merkleRoot: new Uint8Array(32).fill(1) }, POW_LIMIT).header, txs: b.txs };
    assert.equal(chain.submitBlock(bad), 'bad-txnmrklroot');
    assert.equal(chain.height, 1);
  });

  test('a block whose hash misses the target is rejected', () => {
    const chain = newChain();
    const b = chain.createBlock(alice.script);
    const target = compactToTarget(b.header.bits) as bigint;
    let nonce = 0;
    let h = b.header;
    for (; ; nonce++) {
      h = { ...b.header, nonce };
      if (hashToBigint(headerHash(h)) > target) break;
    }
    assert.equal(chain.submitBlock({ header: h, txs: b.txs }), 'high-hash');
    assert.equal(chain.height, 0);
  });

  test('wrong difficulty bits, old timestamps and a missing BIP34 height are rejected', () => {
    const chain = newChain();
    chain.generate(12, alice.script);
    const b = chain.createBlock(alice.script);
    const withBits = { header: grindNonce({ ...b.header, bits: 0x207ffffe }, POW_LIMIT).header, txs: b.txs };
    assert.equal(chain.submitBlock(withBits), 'bad-diffbits');
    const old = { header: grindNonce({ ...b.header, time: chain.tip.mtp }, POW_LIMIT).header, txs: b.txs };
    assert.equal(chain.submitBlock(old), 'time-too-old');
    const future = { header: grindNonce({ ...b.header, time: chain.now() + 3 * 3600 }, POW_LIMIT).header, txs: b.txs };
    assert.equal(chain.submitBlock(future), 'time-too-new');
    const cb = structuredClone(b.txs[0].tx);
    cb.inputs[0].scriptSig = Uint8Array.of(0x51, 0x00);
    const txs = [txDataFromTx(cb), ...b.txs.slice(1)];
    assert.equal(chain.submitBlock(resolve({ header: b.header, txs })), 'bad-cb-height');
    assert.equal(chain.height, 12);
  });

  test('a coinbase claiming more than subsidy plus fees is rejected', () => {
    const chain = newChain();
    const b = chain.createBlock(alice.script);
    const cb = structuredClone(b.txs[0].tx);
    cb.outputs[0].value += 1n;
    const bad = resolve({ header: b.header, txs: [txDataFromTx(cb)] });
    // The commitment still matches (coinbase wtxid is zero in the witness tree).
    assert.equal(chain.submitBlock(bad), 'bad-cb-amount');
  });

  test('a wrong witness commitment is rejected', () => {
    const chain = matureChain(alice);
    const t = spend([coinbaseOf(chain, 1, alice)], [{ value: 4_999_990_000n, script: bob.script }]);
    const b = chain.createBlock(alice.script, [t]);
    const cb = structuredClone(b.txs[0].tx);
    cb.outputs[1].script = Uint8Array.of(...cb.outputs[1].script.subarray(0, 6), ...new Uint8Array(32).fill(7));
    assert.equal(chain.submitBlock(resolve({ header: b.header, txs: [txDataFromTx(cb), t] })), 'bad-witness-merkle-match');
  });
});

describe('transactions in blocks', () => {
  test('a mature coinbase can be spent and the UTXO set follows', () => {
    const chain = matureChain(alice);
    const coin = coinbaseOf(chain, 1, alice);
    const t = spend([coin], [{ value: 1_000_000_000n, script: bob.script }, { value: 3_999_990_000n, script: alice.script }]);
    chain.generateBlock(alice.script, [t]);
    assert.equal(chain.height, 102);
    assert.equal(chain.coin(coin.txid, 0), undefined);
    assert.equal(chain.coin(t.txid, 0)?.value, 1_000_000_000n);
    // The miner collected the 10000 sat fee.
    assert.equal(chain.tip.block.txs[0].tx.outputs[0].value, blockSubsidy(102) + 10_000n);
  });

  test('an immature coinbase spend is rejected', () => {
    const chain = newChain();
    chain.generate(99, alice.script);
    const t = spend([coinbaseOf(chain, 1, alice)], [{ value: 4_999_990_000n, script: bob.script }]);
    // COINBASE_MATURITY: a coinbase from height 1 may be spent from height 101 on.
    assert.throws(() => chain.generateBlock(alice.script, [t]), /bad-txns-premature-spend-of-coinbase/);
    const r = chain.acceptTx(t);
    assert.equal(!r.ok && r.reason, 'bad-txns-premature-spend-of-coinbase');
    chain.generate(1, alice.script);
    chain.generateBlock(alice.script, [t]);
    assert.equal(chain.coin(t.txid, 0)?.value, 4_999_990_000n);
  });

  test('double spends are rejected, within a block and across blocks', () => {
    const chain = matureChain(alice, 1);
    const coin = coinbaseOf(chain, 1, alice);
    const a = spend([coin], [{ value: 4_999_990_000n, script: bob.script }]);
    const b = spend([coin], [{ value: 4_999_980_000n, script: alice.script }]);
    assert.throws(() => chain.generateBlock(alice.script, [a, b]), /bad-txns-inputs-missingorspent/);
    chain.generateBlock(alice.script, [a]);
    assert.throws(() => chain.generateBlock(alice.script, [b]), /bad-txns-inputs-missingorspent/);
  });

  test('outputs may not exceed inputs', () => {
    const chain = matureChain(alice);
    const t = spend([coinbaseOf(chain, 1, alice)], [{ value: 5_000_000_001n, script: bob.script }]);
    assert.throws(() => chain.generateBlock(alice.script, [t]), /bad-txns-in-belowout/);
  });

  test('a bad signature fails script validation', () => {
    const chain = matureChain(alice);
    const coin = coinbaseOf(chain, 1, alice);
    const t = spend([{ ...coin, key: bob }], [{ value: 4_999_990_000n, script: bob.script }]);
    // Bob's key does not hash to Alice's program.
    assert.throws(() => chain.generateBlock(alice.script, [t]), /mandatory-script-verify-flag-failed/);
    const good = spend([coin], [{ value: 4_999_990_000n, script: bob.script }]);
    good.tx.inputs[0].witness[0] = good.tx.inputs[0].witness[0].slice();
    good.tx.inputs[0].witness[0][10] ^= 1;
    const tampered = txDataFromTx(good.tx);
    assert.throws(() => chain.generateBlock(alice.script, [tampered]), /mandatory-script-verify-flag-failed/);
  });
});

describe('timelocks', () => {
  test('CHECKLOCKTIMEVERIFY (BIP65) and nLockTime finality', () => {
    const chain = matureChain(alice);
    const lock = 110;
    const ws = compileScript([scriptNumEncode(lock), OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP, alice.pub, OP.OP_CHECKSIG]);
    const fund = spend([coinbaseOf(chain, 1, alice)], [{ value: 4_999_990_000n, script: p2wsh(ws) }]);
    chain.generateBlock(alice.script, [fund]);
    const input = { txid: fund.txid, vout: 0, value: 4_999_990_000n, key: alice, witnessScript: ws, sequence: 0xfffffffe };
    // A final locktime below the script's: the script fails.
    const early = spend([input], [{ value: 4_999_980_000n, script: bob.script }], { locktime: 50 });
    assert.throws(() => chain.generateBlock(alice.script, [early]), /mandatory-script-verify-flag-failed \(Locktime requirement not satisfied\)/);
    // Locktime satisfying the script but not yet final at this height.
    const spendTx = spend([input], [{ value: 4_999_980_000n, script: bob.script }], { locktime: lock });
    assert.ok(chain.height + 1 <= lock);
    assert.throws(() => chain.generateBlock(alice.script, [spendTx]), /bad-txns-nonfinal/);
    const r = chain.acceptTx(spendTx);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'non-final');
    chain.generate(lock - chain.height, alice.script);
    chain.generateBlock(alice.script, [spendTx]);
    assert.equal(chain.coin(spendTx.txid, 0)?.value, 4_999_980_000n);
  });

  test('CHECKSEQUENCEVERIFY (BIP112) and BIP68 relative locks', () => {
    const chain = matureChain(alice);
    const delay = 5;
    const ws = compileScript([scriptNumEncode(delay), OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP, alice.pub, OP.OP_CHECKSIG]);
    const fund = spend([coinbaseOf(chain, 1, alice)], [{ value: 4_999_990_000n, script: p2wsh(ws) }]);
    chain.generateBlock(alice.script, [fund]);
    const input = { txid: fund.txid, vout: 0, value: 4_999_990_000n, key: alice, witnessScript: ws };
    const short = spend([{ ...input, sequence: delay - 1 }], [{ value: 4_999_980_000n, script: bob.script }]);
    const ok = spend([{ ...input, sequence: delay }], [{ value: 4_999_980_000n, script: bob.script }]);
    assert.throws(() => chain.generateBlock(alice.script, [ok]), /bad-txns-nonfinal/);
    const r = chain.acceptTx(ok);
    assert.equal(!r.ok && r.reason, 'non-BIP68-final');
    chain.generate(delay - 2, alice.script);
    assert.equal(chain.acceptTx(ok, { testOnly: true }).ok, false);
    // BIP68 is satisfied for a 4-block sequence now, but the script demands 5.
    assert.throws(() => chain.generateBlock(alice.script, [short]), /mandatory-script-verify-flag-failed \(Locktime requirement not satisfied\)/);
    chain.generate(1, alice.script);
    assert.equal(chain.acceptTx(ok).ok, true);
    chain.generate(1, alice.script);
    assert.equal(chain.coin(ok.txid, 0)?.value, 4_999_980_000n);
  });
});

describe('the P2WPKH fast path agrees with the interpreter', () => {
  test('valid, tampered, wrong-key and high-S spends', () => {
    const chain = matureChain(alice, 4);
    const ctx = { height: chain.height + 1, prevMtp: chain.tip.mtp, mtpAt: (h: number) => chain.entryAt(h)!.mtp, now: chain.now() };
    const run = (t: ReturnType<typeof spend>, noFastPath: boolean): string => {
      const b = chain.createBlock(alice.script, [t]);
      try {
        const r = connectBlock(b, ctx, chain.utxo, { noFastPath });
        disconnectBlock(b, r.undo, chain.utxo);
        return 'ok';
      } catch (e) {
        return (e as Error).message.replace(/, tx [0-9a-f]+$/, '');
      }
    };
    const cases: ReturnType<typeof spend>[] = [];
    for (let h = 1; h <= 4; h++) {
      const c = coinbaseOf(chain, h, alice);
      cases.push(spend([c], [{ value: c.value - 1000n, script: bob.script }]));
    }
    const tampered = structuredClone(cases[1].tx);
    tampered.inputs[0].witness[0][12] ^= 0x40;
    cases[1] = txDataFromTx(tampered);
    const c3 = coinbaseOf(chain, 3, alice);
    cases[2] = spend([{ ...c3, key: bob }], [{ value: c3.value - 1000n, script: bob.script }]);
    // High-S: the same signature with s replaced by n - s is valid under consensus rules.
    const hs = structuredClone(cases[3].tx);
    const der = hs.inputs[0].witness[0];
    const rLen = der[3];
    const sOff = 6 + rLen;
    const sLen = der[5 + rLen];
    const s = BigInt('0x' + Buffer.from(der.subarray(sOff, sOff + sLen)).toString('hex'));
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    let hi = (n - s).toString(16);
    if (hi.length % 2) hi = '0' + hi;
    let hiBytes = Uint8Array.from(Buffer.from(hi, 'hex'));
    if (hiBytes[0] & 0x80) hiBytes = Uint8Array.of(0, ...hiBytes);
    const body = [...der.subarray(4, 4 + rLen)];
    const newDer = Uint8Array.of(0x30, 4 + rLen + hiBytes.length, 0x02, rLen, ...body, 0x02, hiBytes.length, ...hiBytes, 0x01);
    hs.inputs[0].witness[0] = newDer;
    cases[3] = txDataFromTx(hs);
    const results = cases.map((t) => [run(t, false), run(t, true)]);
    for (const [fast, slow] of results) assert.equal(fast, slow);
    assert.deepEqual(
      results.map((r) => r[0].startsWith('mandatory') ? 'fail' : r[0]),
      ['ok', 'fail', 'fail', 'ok'],
    );
    const r = chain.acceptTx(cases[3]);
    assert.equal(!r.ok && r.reason, 'non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)');
  });
});

describe('taproot', () => {
  test('a key-path spend is valid in the mempool and in a block; a bad signature is not', () => {
    const chain = matureChain(alice, 1);
    const xonly = schnorrPublicKey(bob.priv);
    const c = coinbaseOf(chain, 1, alice);
    const fund = spend([c], [{ value: c.value - 10_000n, script: p2trScript(xonly) }]);
    chain.generateBlock(alice.script, [fund]);
    const prevouts = [{ value: c.value - 10_000n, script: p2trScript(xonly) }];
    const tx = {
      version: 2,
      inputs: [{ txid: fund.txid, vout: 0, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] as Uint8Array[] }],
      outputs: [{ value: c.value - 20_000n, script: alice.script }],
      locktime: 0,
    };
    const sig = schnorrSign(taprootKeySpendSigHash(tx, 0, prevouts, 0), bob.priv, new Uint8Array(32));
    const bad = structuredClone(tx);
    bad.inputs[0].witness = [Uint8Array.from(sig.map((b, i) => (i === 5 ? b ^ 1 : b)))];
    tx.inputs[0].witness = [sig];
    const badTx = txDataFromTx(bad);
    const r = chain.acceptTx(badTx);
    assert.equal(!r.ok && r.reason, 'mandatory-script-verify-flag-failed (Invalid Schnorr signature)');
    assert.throws(() => chain.generateBlock(alice.script, [badTx]), /mandatory-script-verify-flag-failed \(Invalid Schnorr signature\)/);
    const good = txDataFromTx(tx);
    assert.equal(chain.acceptTx(good).ok, true);
    chain.generate(1, alice.script);
    assert.equal(chain.coin(good.txid, 0)?.value, c.value - 20_000n);
  });
});
