/**
 * Commitment construction rules beyond the vectors: the spec's fee example (read from the
 * file), conservation of funds, output order, trimming, anchors and the obscured number.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { msat, sat } from '../../src/lib/index.ts';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import { deriveCommitmentKeys, obscuringFactor, type ChannelPublicKeys } from '../../src/keys/index.ts';
import {
  buildCommitment,
  commitmentFee,
  commitmentLocktimeAndSequence,
  commitmentNumberFromTx,
  compareOutputs,
  htlcSuccessFee,
  htlcTimeoutFee,
  isHtlcTrimmed,
  ANCHOR_OUTPUT_VALUE,
  htlcScriptBuilder,
  offeredHtlcScript,
  receivedHtlcScript,
  type CommitmentHtlc,
  type CommitmentInput,
  type CommitmentType,
} from '../../src/channel/index.ts';
import { bolt3Text, section } from '../keys/spec-text.ts';

const key = (i: number): Uint8Array => getPublicKey(sha256(Uint8Array.of(i, 200)));
const pubs = (o: number): ChannelPublicKeys => ({
  fundingPubkey: key(o + 1),
  revocationBasepoint: key(o + 2),
  paymentBasepoint: key(o + 3),
  delayedPaymentBasepoint: key(o + 4),
  htlcBasepoint: key(o + 5),
});
const local = pubs(0);
const remote = pubs(10);
const keys = deriveCommitmentKeys(local, remote, key(99));

function input(over: Partial<CommitmentInput> & { htlcs?: CommitmentHtlc[] }): CommitmentInput {
  const htlcs = over.htlcs ?? [];
  const htlcTotal = htlcs.reduce((a, h) => a + h.amount, 0n);
  const toRemote = over.toRemote ?? msat(3_000_000_000n);
  return {
    type: 'static_remotekey',
    funding: { txid: new Uint8Array(32).fill(1), vout: 0 },
    fundingAmount: sat(10_000_000n),
    localFundingPubkey: local.fundingPubkey,
    remoteFundingPubkey: remote.fundingPubkey,
    keys,
    toLocal: msat(10_000_000_000n - toRemote - htlcTotal),
    toRemote,
    localIsFunder: true,
    feeratePerKw: 5000,
    toSelfDelay: 144,
    dustLimit: sat(546n),
    htlcs,
    commitmentNumber: 1n,
    obscuringFactor: obscuringFactor(local.paymentBasepoint, remote.paymentBasepoint),
    ...over,
  };
}

describe('BOLT 3 "Fee Calculation" example (read from the spec)', () => {
  const ex = section(bolt3Text(), '#### Example');
  const n = (re: RegExp): bigint => {
    const m = ex.match(re);
    if (!m) throw new Error(`not in spec: ${re}`);
    return BigInt(m[1]!);
  };
  const feerate = Number(n(/`feerate_per_kw` of (\d+)/));
  const dust = sat(n(/`dust_limit_satoshis` of (\d+)/));
  const offered = ex.match(/two offered HTLCs of (\d+) and (\d+) millisatoshis/)!.slice(1).map(BigInt);
  const received = ex.match(/two received HTLCs of (\d+) and (\d+) millisatoshis/)!.slice(1).map(BigInt);
  const htlcs: CommitmentHtlc[] = [
    ...offered.map((a, i) => ({ direction: 'offered' as const, amount: msat(a), paymentHash: sha256(Uint8Array.of(i)), cltvExpiry: 500 })),
    ...received.map((a, i) => ({ direction: 'received' as const, amount: msat(a), paymentHash: sha256(Uint8Array.of(9, i)), cltvExpiry: 500 })),
  ];
  test('HTLC transaction fees', () => {
    assert.equal(htlcTimeoutFee(feerate, 'static_remotekey'), n(/and thus the fee is (\d+) satoshis\./));
    assert.equal(htlcSuccessFee(feerate, 'static_remotekey'), n(/and thus the fee is (\d+) satoshis\n/));
  });
  test('trimming, base fee and actual fee', () => {
    const c = buildCommitment(input({ feeratePerKw: feerate, dustLimit: dust, htlcs }));
    // 5000 sat offered and 7000 sat received stay; 1000 and 800 are trimmed.
    assert.deepEqual(c.trimmedHtlcs, [1, 3]);
    assert.equal(c.baseFee, n(/The base commitment transaction fee is (\d+) satoshi/));
    assert.equal(c.actualFee, n(/the actual\s+fee \([^)]*\) is (\d+) satoshi/));
    assert.equal(commitmentFee(feerate, 2, 'static_remotekey') * 1000n / BigInt(feerate), n(/`weight` increases to (\d+)\n\n\* The received HTLC of 800/));
  });
});

const htlcArb = fc.record({
  direction: fc.constantFrom('offered' as const, 'received' as const),
  amount: fc.bigInt({ min: 1n, max: 50_000_000n }).map(msat),
  paymentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  cltvExpiry: fc.integer({ min: 1, max: 1_000_000 }),
});

describe('commitment properties', () => {
  test('funds are conserved, outputs are in BIP69+CLTV order, trimming follows the rule', () => {
    fc.assert(
      fc.property(
        fc.array(htlcArb, { maxLength: 12 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.constantFrom<CommitmentType>('static_remotekey', 'anchors'),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 9_000_000_000n }),
        fc.bigInt({ min: 0n, max: 0xffffffffffffn }),
        (htlcs, feerate, type, localIsFunder, toRemote, number) => {
          const inp = input({ htlcs, feeratePerKw: feerate, type, localIsFunder, toRemote: msat(toRemote), commitmentNumber: number });
          let c: ReturnType<typeof buildCommitment>;
          try {
            c = buildCommitment(inp);
          } catch (e) {
            // Only a funder that cannot even pay for the two anchors makes it refuse.
            const funderBalance = localIsFunder ? inp.toLocal : inp.toRemote;
            assert.ok(type === 'anchors' && funderBalance < 2n * ANCHOR_OUTPUT_VALUE * 1000n, String(e));
            return;
          }
          let sum = 0n;
          for (const o of c.tx.outputs) sum += o.value;
          assert.equal(sum + c.actualFee, inp.fundingAmount);
          for (let i = 1; i < c.tx.outputs.length; i++) {
            const cl = (j: number) => (c.outputs[j]!.kind === 'htlc' ? htlcs[c.outputs[j]!.htlcIndex!]!.cltvExpiry : 0);
            assert.ok(compareOutputs({ out: c.tx.outputs[i - 1]!, cltv: cl(i - 1) }, { out: c.tx.outputs[i]!, cltv: cl(i) }) <= 0);
          }
          for (const o of c.outputs) if (!o.kind.endsWith('anchor')) assert.ok(o.value >= inp.dustLimit);
          htlcs.forEach((h, i) => {
            assert.equal(c.trimmedHtlcs.includes(i), isHtlcTrimmed(h.direction, h.amount, feerate, inp.dustLimit, type));
          });
          assert.equal(c.htlcOutputs.length + c.trimmedHtlcs.length, htlcs.length);
          assert.equal(c.baseFee, commitmentFee(feerate, c.htlcOutputs.length, type));
          const anchors = c.outputs.filter((o) => o.kind.endsWith('anchor'));
          if (type === 'anchors') {
            const hasLocal = c.outputs.some((o) => o.kind === 'to_local');
            const hasRemote = c.outputs.some((o) => o.kind === 'to_remote');
            const any = c.htlcOutputs.length > 0;
            assert.equal(anchors.length, Number(hasLocal || any) + Number(hasRemote || any));
            for (const a of anchors) assert.equal(a.value, ANCHOR_OUTPUT_VALUE);
          } else assert.equal(anchors.length, 0);
          assert.equal(commitmentNumberFromTx(c.tx, inp.obscuringFactor), number);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('the funder pays the fee and the anchors', () => {
    for (const localIsFunder of [true, false]) {
      const c = buildCommitment(input({ type: 'anchors', localIsFunder, feeratePerKw: 1000 }));
      const toLocal = c.outputs.find((o) => o.kind === 'to_local')!.value;
      const toRemote = c.outputs.find((o) => o.kind === 'to_remote')!.value;
      const cost = commitmentFee(1000, 0, 'anchors') + 2n * ANCHOR_OUTPUT_VALUE;
      if (localIsFunder) assert.deepEqual([toLocal, toRemote], [7_000_000n - cost, 3_000_000n]);
      else assert.deepEqual([toLocal, toRemote], [7_000_000n, 3_000_000n - cost]);
    }
  });

  test('locktime and sequence carry the obscured number with their tags', () => {
    const { locktime, sequence } = commitmentLocktimeAndSequence(0x123456789abcn, 0n);
    assert.equal(locktime, 0x20789abc);
    assert.equal(sequence, 0x80123456);
    assert.throws(() => commitmentLocktimeAndSequence(1n << 48n, 0n));
  });

  test('rejects inconsistent balances', () => {
    assert.throws(() => buildCommitment({ ...input({}), toLocal: msat(1n) }));
  });
});

describe('HTLC script builder', () => {
  test('splices hashes and cltv_expiry exactly as the direct script functions build them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 0x7fffffff }), fc.boolean(), (hash, cltv, anchors) => {
        const b = htlcScriptBuilder(keys, anchors);
        assert.deepEqual(b.offered(hash), offeredHtlcScript(keys, hash, anchors));
        assert.deepEqual(b.received(hash, cltv), receivedHtlcScript(keys, hash, cltv, anchors));
      }),
      { numRuns: 150 },
    );
  });
});
