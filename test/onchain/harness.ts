/**
 * A real channel on the embedded regtest chain for the BOLT 5 tests: two channel machines
 * (test/channel/machine-harness.ts) funded by a transaction mined on a RegtestChain, HTLCs
 * added and committed both ways through the real wire codecs, and helpers to submit
 * transactions (mempool policy), mine to a height, and verify with the interpreter.
 */
import assert from 'node:assert/strict';
import { concatBytes, msat, sat, shortChannelId, type Msat } from '../../src/lib/index.ts';
import { hash160, sha256, signatureToDer, signEcdsa } from '../../src/crypto/index.ts';
import {
  p2pkhScript,
  segwitV0SigHash,
  STANDARD_FLAGS,
  SIGHASH_ALL,
  txid as txidOf,
  verifyTx,
  txWeight,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';
import { startFunder, startFundee, type OpenChannel } from '../../src/channel/index.ts';
import { rejectString, txDataFromTx, type RegtestChain } from '../../src/chain/regtest/index.ts';
import { addHtlcTxFeeInputs, claimPrevouts, signHolderHtlcTx, type Claim, type FeeInput, type HolderHtlcResolution } from '../../src/onchain/index.ts';
import { deliver, flush, Party, Rng, stateName, testEnv } from '../channel/machine-harness.ts';
import { coinbaseOf, key, matureChain, spend, type Key } from '../chain/regtest-helpers.ts';

export const miner = key('onchain-miner');
/** Where sweeps pay to (a wallet address of ours). */
export const walletA = key('onchain-wallet-a');
export const walletB = key('onchain-wallet-b');

/** The delay each side imposes on the other's outputs (short, to keep the chain small). */
export const TO_SELF_DELAY = 20;
export const FUNDING_SAT = 1_000_000n;

export interface OnChainPair {
  chain: RegtestChain;
  a: Party;
  b: Party;
  fundingTxid: Uint8Array;
  /** The next unused mature coinbase height (fee inputs for anchors HTLC transactions). */
  nextCoinbase: number;
}

/**
 * openOnChain opens a channel A (funder) → B with the machines, funded by a transaction
 * spending a mature coinbase of a fresh regtest chain, mined and confirmed.
 */
export function openOnChain(o: { anchors: boolean; push?: Msat; seed?: number }): OnChainPair {
  const chain = matureChain(miner, 40);
  const rng = new Rng(o.seed ?? 5);
  const cfg = { toSelfDelay: TO_SELF_DELAY, maxAcceptedHtlcs: 50 };
  const a = new Party('A', testEnv('A', 1n, cfg, o.seed));
  const b = new Party('B', testEnv('B', 7n, { ...cfg, shutdownScript: Uint8Array.from([0x00, 20, ...new Uint8Array(20).fill(8)]) }, o.seed));
  a.absorb(
    null,
    startFunder(
      { kind: 'open', temporaryChannelId: rng.bytes(32), fundingAmount: sat(FUNDING_SAT), pushAmount: o.push ?? msat(400_000_000n), channelKeyIndex: 1n, announce: false, anchors: o.anchors },
      a.env,
    ),
  );
  const open = a.outbox.shift() as OpenChannel;
  b.absorb(null, startFundee(open, 7n, b.env));
  deliver(b, a);
  assert.equal(stateName(a), 'AwaitingFundingTx');
  const build = a.effects.find((e) => e.kind === 'build_funding_tx');
  assert.ok(build && build.kind === 'build_funding_tx');
  const cb = coinbaseOf(chain, 1, miner);
  const fundingTx = spend([cb], [
    { value: build.amount, script: build.script },
    { value: cb.value - build.amount - 10_000n, script: miner.script },
  ]);
  a.step({ kind: 'funding_tx_built', tx: fundingTx.tx, outputIndex: 0 });
  deliver(a, b);
  deliver(b, a);
  assert.equal(stateName(a), 'AwaitingFundingConfirmed');
  assert.equal(stateName(b), 'AwaitingFundingConfirmed');
  assert.equal(submit(chain, fundingTx.tx), 'accepted');
  chain.generate(3, miner.script);
  const scid = shortChannelId(chain.height - 2, 1, 0);
  for (const p of [a, b]) p.step({ kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: fundingTx.tx.outputs[0]! });
  flush(a, b);
  assert.equal(stateName(a), 'Normal');
  assert.equal(stateName(b), 'Normal');
  for (const p of [a, b]) p.env = { ...p.env, blockHeight: chain.height };
  return { chain, a, b, fundingTxid: fundingTx.txid, nextCoinbase: 2 };
}

/** addHtlc has `from` offer an HTLC of `amount` to the other side; returns its id. */
export function addHtlc(from: Party, amount: Msat, cltvExpiry: number, preimage: Uint8Array): bigint {
  const eff = from.step({ kind: 'command', command: { kind: 'add_htlc', amount, paymentHash: sha256(preimage), cltvExpiry, onion: new Uint8Array(1366) } });
  const rej = eff.find((e) => e.kind === 'command_rejected');
  assert.ok(!rej, `add_htlc rejected: ${rej && rej.kind === 'command_rejected' ? rej.reason : ''}`);
  return from.c.nextLocalHtlcId - 1n;
}

/** commitAll signs and exchanges messages until both commitments hold every update. */
export function commitAll(a: Party, b: Party): void {
  for (let i = 0; i < 6; i++) {
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    b.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
  }
  assert.equal(a.c.awaitingRevocation, false);
  assert.equal(b.c.awaitingRevocation, false);
}

/** submit offers a transaction to the chain's mempool; returns 'accepted' or Core's reason. */
export function submit(chain: RegtestChain, tx: Tx): string {
  const r = chain.acceptTx(txDataFromTx(tx));
  return r.ok ? 'accepted' : rejectString(r);
}

/** mineTo mines (with the mempool) until the tip is at `height`. */
export function mineTo(chain: RegtestChain, height: number): void {
  if (chain.height < height) chain.generate(height - chain.height, miner.script);
}

/** mine mines one block with the mempool and checks every transaction in it got in. */
export function mine(chain: RegtestChain, ...txs: Tx[]): void {
  chain.generate(1, miner.script);
  for (const t of txs) assert.ok(chain.findTx(txidOf(t)), `transaction ${txidOf(t)} was not mined`);
}

/** verify runs every input through the consensus interpreter with the standard flags. */
export function verify(tx: Tx, prevouts: TxOut[]): void {
  const r = verifyTx(tx, prevouts, STANDARD_FLAGS);
  assert.ok(r.ok, r.ok ? '' : `input ${r.inputIndex}: ${r.error}`);
}

/** verifyClaims verifies a signed sweep against the outputs its claims spend. */
export function verifyClaims(tx: Tx, claims: readonly Claim[]): void {
  verify(tx, claimPrevouts(claims));
}

/** A mature coinbase of the miner, as a fee input for an anchors HTLC transaction. */
export function feeCoin(p: OnChainPair): FeeInput & { key: Key; out: TxOut } {
  const cb = coinbaseOf(p.chain, p.nextCoinbase++, miner);
  return { outpoint: { txid: cb.txid, vout: 0 }, value: sat(cb.value), witnessWeight: 109, key: miner, out: { value: cb.value, script: miner.script } };
}

/** signP2wpkh signs input `i` of `tx` spending `value` sats paid to `k` (P2WPKH, SIGHASH_ALL). */
export function signP2wpkh(tx: Tx, i: number, k: Key, value: bigint): Tx {
  const digest = segwitV0SigHash(tx, i, p2pkhScript(hash160(k.pub)), value, SIGHASH_ALL);
  const sig = concatBytes(signatureToDer(signEcdsa(digest, k.priv)), Uint8Array.of(SIGHASH_ALL));
  return { ...tx, inputs: tx.inputs.map((inp, j) => (j === i ? { ...inp, witness: [sig, k.pub] } : inp)) };
}

/** outputsOf sums a transaction's outputs. */
export function outputsSum(tx: Tx): bigint {
  return tx.outputs.reduce((s, o) => s + o.value, 0n);
}

/**
 * finishHolderHtlcTx completes a holder's HTLC transaction as its owner's node would: as is
 * with static_remotekey, or (anchors) with a fee input from `feeCoin` and change to
 * `changeScript` at `feeratePerKw`; verified by the interpreter and checked against its
 * expected weight.
 */
export function finishHolderHtlcTx(
  p: OnChainPair,
  res: HolderHtlcResolution,
  signer: Parameters<typeof signHolderHtlcTx>[1],
  changeScript: Uint8Array,
  feeratePerKw: number,
): Tx {
  const spent = { value: res.htlcTx.inputValue as bigint, script: p.chain.coin(res.htlcTx.tx.inputs[0]!.txid, res.htlcTx.tx.inputs[0]!.vout)!.script };
  if (!res.anchors) {
    const tx = signHolderHtlcTx(res, signer);
    verify(tx, [spent]);
    return tx;
  }
  const coin = feeCoin(p);
  const funded = addHtlcTxFeeInputs(res, [coin], changeScript, feeratePerKw);
  const tx = signP2wpkh(signHolderHtlcTx(res, signer, funded.tx), 1, coin.key, coin.value);
  verify(tx, [spent, coin.out]);
  assert.ok(txWeight(tx) <= funded.expectedWeight, 'fee-bumped HTLC tx weighs at most its estimate');
  return tx;
}
