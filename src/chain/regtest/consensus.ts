/**
 * Consensus rules of the embedded chain, as Bitcoin Core's validation.cpp and
 * consensus/tx_check.cpp, tx_verify.cpp apply them on regtest (where BIP34, BIP65, BIP66,
 * CSV and segwit are active from the first blocks). Reject reasons are Core's strings.
 */
import { equalBytes } from '../../lib/index.ts';
import { TxScriptChecker, scriptFlag } from './script-check.ts';
import { SCRIPT_VERIFY, isFinalTx, legacySigOpCount, txSigOpCost as bitcoinTxSigOpCost, type Tx, type TxOut } from '../../bitcoin/index.ts';
import { hashToHex } from '../interfaces.ts';
import { type Block, blockMerkleRoot, blockSizes, headerHash, witnessCommitment, witnessCommitmentIndex } from './block.ts';
import { checkProofOfWork, compactToTarget } from './pow.ts';
import { LIMITS, REGTEST, blockSubsidy } from './params.ts';
import type { TxData } from './tx-data.ts';
import { outpointKey } from './encoding.ts';
import type { Coin, UtxoSet } from './utxo.ts';
import { isUnspendable } from './script-info.ts';
import { fastVerifyP2wpkh, precomputeBip143, type Bip143Precomputed } from './fast-verify.ts';
import { scriptErrorText } from './script-errors.ts';

/** The regtest proof-of-work limit as a number. */
export const POW_LIMIT = compactToTarget(REGTEST.powLimitBits) as bigint;

const flagOr = scriptFlag;

/**
 * BLOCK_SCRIPT_FLAGS: the script rules every block on regtest enforces (Core's
 * GetBlockScriptFlags once all deployments are active): P2SH, DERSIG, CHECKLOCKTIMEVERIFY,
 * CHECKSEQUENCEVERIFY, WITNESS, NULLDUMMY and TAPROOT (where the interpreter has it).
 */
export const BLOCK_SCRIPT_FLAGS =
  (flagOr('P2SH') |
    flagOr('DERSIG') |
    flagOr('CHECKLOCKTIMEVERIFY') |
    flagOr('CHECKSEQUENCEVERIFY') |
    flagOr('WITNESS') |
    flagOr('NULLDUMMY') |
    flagOr('TAPROOT')) >>>
  0;

/** A consensus failure: Core's reject reason plus optional detail. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly reason: string,
    readonly debug = '',
  ) {
    super(debug ? `${reason}, ${debug}` : reason);
  }
}

/** isCoinbase: a single input spending the null outpoint. */
export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && tx.inputs[0].vout === 0xffffffff && tx.inputs[0].txid.every((b) => b === 0);
}

/**
 * checkTransaction is Core's context-free CheckTransaction: inputs and outputs present, size,
 * output values in [0, MAX_MONEY] and their sum too, no duplicate inputs, coinbase scriptSig
 * of 2..100 bytes, no null prevouts in non-coinbase transactions.
 */
export function checkTransaction(t: TxData): ValidationError | null {
  const tx = t.tx;
  if (tx.inputs.length === 0) return new ValidationError('bad-txns-vin-empty');
  if (tx.outputs.length === 0) return new ValidationError('bad-txns-vout-empty');
  if (t.baseSize * LIMITS.witnessScaleFactor > LIMITS.maxBlockWeight) return new ValidationError('bad-txns-oversize');
  let total = 0n;
  for (const o of tx.outputs) {
    if (o.value < 0n) return new ValidationError('bad-txns-vout-negative');
    if (o.value > LIMITS.maxMoney) return new ValidationError('bad-txns-vout-toolarge');
    total += o.value;
    if (total > LIMITS.maxMoney) return new ValidationError('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const i of tx.inputs) {
    const k = outpointKey(i.txid, i.vout);
    if (seen.has(k)) return new ValidationError('bad-txns-inputs-duplicate');
    seen.add(k);
  }
  if (isCoinbase(tx)) {
    const l = tx.inputs[0].scriptSig.length;
    if (l < LIMITS.minCoinbaseScriptSize || l > LIMITS.maxCoinbaseScriptSize) return new ValidationError('bad-cb-length');
  } else {
    for (const i of tx.inputs) {
      if (i.vout === 0xffffffff && i.txid.every((b) => b === 0)) return new ValidationError('bad-txns-prevout-null');
    }
  }
  return null;
}

/** isFinalTx is Core's IsFinalTx (BIP113: pass the previous block's median-time-past); see src/bitcoin/tx-check.ts. */
export { isFinalTx };

/** BIP68 constants. */
const SEQUENCE_DISABLE_FLAG = 0x80000000;
const SEQUENCE_TYPE_FLAG = 0x00400000;
const SEQUENCE_MASK = 0x0000ffff;
const SEQUENCE_GRANULARITY = 9;

/**
 * sequenceLocks is Core's CalculateSequenceLocks (BIP68): the height and time a transaction
 * must exceed. `coinHeights[i]` is the height that created input i's coin; `mtpAt(h)` is the
 * median-time-past of the block at height h. Returns -1/-1 for version < 2.
 */
export function sequenceLocks(tx: Tx, coinHeights: number[], mtpAt: (h: number) => number): { minHeight: number; minTime: number } {
  let minHeight = -1;
  let minTime = -1;
  if (tx.version >>> 0 < 2) return { minHeight, minTime };
  tx.inputs.forEach((inp, i) => {
    if (inp.sequence & SEQUENCE_DISABLE_FLAG) return;
    const coinHeight = coinHeights[i];
    if (inp.sequence & SEQUENCE_TYPE_FLAG) {
      // BIP68: "the median-time-past of the block prior to the one containing the output".
      const coinTime = mtpAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + ((inp.sequence & SEQUENCE_MASK) << SEQUENCE_GRANULARITY) - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + (inp.sequence & SEQUENCE_MASK) - 1);
    }
  });
  return { minHeight, minTime };
}

/** checkSequenceLocks: the locks are satisfied in a block at `height` whose parent has median time `prevMtp`. */
export function sequenceLocksSatisfied(locks: { minHeight: number; minTime: number }, height: number, prevMtp: number): boolean {
  return locks.minHeight < height && locks.minTime < prevMtp;
}

/**
 * checkBlock is Core's context-free CheckBlock: proof of work, merkle root (and its
 * mutation), size, exactly one coinbase first, every transaction's CheckTransaction, and the
 * legacy sigop limit.
 */
export function checkBlock(block: Block, hash = headerHash(block.header)): ValidationError | null {
  if (!checkProofOfWork(hash, block.header.bits, POW_LIMIT)) return new ValidationError('high-hash', 'proof of work failed');
  const { root, mutated } = blockMerkleRoot(block.txs);
  if (!equalBytes(root, block.header.merkleRoot)) return new ValidationError('bad-txnmrklroot', 'hashMerkleRoot mismatch');
  if (mutated) return new ValidationError('bad-txns-duplicate', 'duplicate transaction');
  const sizes = blockSizes(block);
  if (block.txs.length === 0 || block.txs.length * LIMITS.witnessScaleFactor > LIMITS.maxBlockWeight || sizes.strippedSize * LIMITS.witnessScaleFactor > LIMITS.maxBlockWeight) {
    return new ValidationError('bad-blk-length', 'size limits failed');
  }
  if (!isCoinbase(block.txs[0].tx)) return new ValidationError('bad-cb-missing', 'first tx is not coinbase');
  for (let i = 1; i < block.txs.length; i++) {
    if (isCoinbase(block.txs[i].tx)) return new ValidationError('bad-cb-multiple', 'more than one coinbase');
  }
  for (const t of block.txs) {
    const e = checkTransaction(t);
    if (e) return new ValidationError(e.reason, `Transaction check failed (tx hash ${hashToHex(t.txid)}) ${e.debug}`.trim());
  }
  let sigops = 0;
  for (const t of block.txs) sigops += txLegacySigOps(t.tx);
  if (sigops * LIMITS.witnessScaleFactor > LIMITS.maxBlockSigopsCost) return new ValidationError('bad-blk-sigops', 'out-of-bounds SigOpCount');
  return null;
}

/** txLegacySigOps: Core's GetLegacySigOpCount (scriptSigs and output scripts, inaccurate counting). */
export function txLegacySigOps(tx: Tx): number {
  return legacySigOpCount(tx);
}

/**
 * txSigOpCost: Core's GetTransactionSigOpCost with the P2SH and witness flags every regtest
 * block enforces; `coins` are the spent outputs in input order (null: legacy sigops only).
 */
export function txSigOpCost(tx: Tx, coins: Coin[] | null): number {
  if (!coins) return legacySigOpCount(tx) * LIMITS.witnessScaleFactor;
  return bitcoinTxSigOpCost(tx, coins, SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS);
}

/** Context a block is connected in. */
export interface BlockContext {
  height: number;
  /** Median-time-past of the previous block (BIP113). */
  prevMtp: number;
  /** Median-time-past of the active-chain block at a height below this one (BIP68 time locks). */
  mtpAt: (height: number) => number;
  /** Node clock (seconds) for the time-too-new rule. */
  now: number;
}

/**
 * contextualCheckBlock is Core's ContextualCheckBlockHeader + ContextualCheckBlock: the
 * fixed regtest target, time after the median of the last 11 blocks and not more than two
 * hours ahead, version >= 4, finality of every transaction, BIP34 height in the coinbase,
 * and the BIP141 witness commitment and weight limit.
 */
export function contextualCheckBlock(block: Block, ctx: BlockContext): ValidationError | null {
  const h = block.header;
  if (h.bits >>> 0 !== REGTEST.powLimitBits) return new ValidationError('bad-diffbits', 'incorrect proof of work');
  if (h.time <= ctx.prevMtp) return new ValidationError('time-too-old', "block's timestamp is too early");
  if (h.time > ctx.now + REGTEST.maxFutureBlockTime) return new ValidationError('time-too-new', 'block timestamp too far in the future');
  if (ctx.height >= REGTEST.bip65Height && h.version < 4) return new ValidationError(`bad-version(0x${(h.version >>> 0).toString(16).padStart(8, '0')})`, 'rejected nVersion block');
  for (const t of block.txs) {
    if (!isFinalTx(t.tx, ctx.height, ctx.prevMtp)) return new ValidationError('bad-txns-nonfinal', 'non-final transaction');
  }
  if (ctx.height >= REGTEST.bip34Height) {
    const expect = bip34HeightPush(ctx.height);
    const ss = block.txs[0].tx.inputs[0].scriptSig;
    if (ss.length < expect.length || !equalBytes(ss.subarray(0, expect.length), expect)) return new ValidationError('bad-cb-height', 'block height mismatch in coinbase');
  }
  const cb = block.txs[0].tx;
  const ci = witnessCommitmentIndex(cb);
  let haveWitness = false;
  if (ci >= 0) {
    const w = cb.inputs[0].witness;
    if (w.length !== 1 || w[0].length !== 32) return new ValidationError('bad-witness-nonce-size', 'invalid witness reserved value size');
    const c = witnessCommitment(block.txs, w[0]);
    if (!equalBytes(c, cb.outputs[ci].script.subarray(6, 38))) return new ValidationError('bad-witness-merkle-match', 'witness merkle commitment mismatch');
    haveWitness = true;
  }
  if (!haveWitness) {
    for (const t of block.txs) {
      if (t.hasWitness) return new ValidationError('unexpected-witness', 'unexpected witness data found');
    }
  }
  if (blockSizes(block).weight > LIMITS.maxBlockWeight) return new ValidationError('bad-blk-weight', 'weight limit failed');
  return null;
}

/** bip34HeightPush is the script push of the height that BIP34 requires at the start of the coinbase scriptSig. */
export function bip34HeightPush(height: number): Uint8Array {
  if (height === 0) return Uint8Array.of(0x00);
  if (height >= 1 && height <= 16) return Uint8Array.of(0x50 + height);
  const bytes: number[] = [];
  let v = height;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}

/** What connecting a block produced: the coins it spent (undo data, in order) and per-tx fees. */
export interface ConnectResult {
  undo: Coin[];
  fees: bigint[];
  totalFees: bigint;
}

/** Options for connectBlock. */
export interface ConnectOptions {
  /** Skip script checks (blocks we validated before, replayed from our own disk). */
  skipScripts?: boolean;
  flags?: number;
  /** Send every input through the interpreter, bypassing the P2WPKH fast path (benchmarks, cross-checks). */
  noFastPath?: boolean;
}

/**
 * connectBlock is Core's ConnectBlock: spends every input from the UTXO set (missing or
 * spent → bad-txns-inputs-missingorspent), enforces coinbase maturity, value ranges, fees,
 * BIP68 sequence locks, the sigop-cost limit and every input's script, then adds the new
 * outputs and checks the coinbase claims at most subsidy + fees. The UTXO set is changed
 * only on success.
 */
export function connectBlock(block: Block, ctx: BlockContext, utxo: UtxoSet, opts: ConnectOptions = {}): ConnectResult {
  const flags = opts.flags ?? BLOCK_SCRIPT_FLAGS;
  const undo: Coin[] = [];
  const undoKeys: string[] = [];
  const added: string[] = [];
  const fees: bigint[] = [];
  let totalFees = 0n;
  let sigops = 0;
  try {
    for (let ti = 0; ti < block.txs.length; ti++) {
      const t = block.txs[ti];
      const tx = t.tx;
      if (ti === 0) {
        sigops += txLegacySigOps(tx) * LIMITS.witnessScaleFactor;
      } else {
        const coins: Coin[] = new Array(tx.inputs.length);
        const heights: number[] = new Array(tx.inputs.length);
        let inSum = 0n;
        for (let i = 0; i < tx.inputs.length; i++) {
          const inp = tx.inputs[i];
          const key = outpointKey(inp.txid, inp.vout);
          const coin = utxo.spendByKey(key);
          if (!coin) throw new ValidationError('bad-txns-inputs-missingorspent', `CheckTxInputs: inputs missing/spent in tx ${hashToHex(t.txid)}`);
          undo.push(coin);
          undoKeys.push(key);
          coins[i] = coin;
          heights[i] = coin.height;
          if (coin.coinbase && ctx.height - coin.height < REGTEST.coinbaseMaturity) {
            throw new ValidationError('bad-txns-premature-spend-of-coinbase', `tried to spend coinbase at depth ${ctx.height - coin.height}`);
          }
          if (coin.value < 0n || coin.value > LIMITS.maxMoney) throw new ValidationError('bad-txns-inputvalues-outofrange');
          inSum += coin.value;
          if (inSum > LIMITS.maxMoney) throw new ValidationError('bad-txns-inputvalues-outofrange');
        }
        let outSum = 0n;
        for (const o of tx.outputs) outSum += o.value;
        if (inSum < outSum) throw new ValidationError('bad-txns-in-belowout', `value in (${inSum}) < value out (${outSum})`);
        const fee = inSum - outSum;
        fees.push(fee);
        totalFees += fee;
        if (totalFees > LIMITS.maxMoney) throw new ValidationError('bad-txns-accumulated-fee-outofrange');
        const locks = sequenceLocks(tx, heights, ctx.mtpAt);
        if (!sequenceLocksSatisfied(locks, ctx.height, ctx.prevMtp)) throw new ValidationError('bad-txns-nonfinal', 'contains a non-BIP68-final transaction');
        sigops += txSigOpCost(tx, coins);
        if (sigops > LIMITS.maxBlockSigopsCost) throw new ValidationError('bad-blk-sigops', 'too many sigops');
        if (!opts.skipScripts) {
          const err = checkInputScripts(tx, coins, flags, opts.noFastPath);
          if (err) throw new ValidationError(`mandatory-script-verify-flag-failed (${scriptErrorText(err)})`, `tx ${hashToHex(t.txid)}`);
        }
      }
      for (let o = 0; o < tx.outputs.length; o++) {
        if (isUnspendable(tx.outputs[o].script)) continue;
        const key = outpointKey(t.txid, o);
        if (ti > 0 && utxo.getByKey(key)) throw new ValidationError('bad-txns-BIP30', 'tried to overwrite transaction');
        utxo.addByKey(key, { value: tx.outputs[o].value, script: tx.outputs[o].script, height: ctx.height, coinbase: ti === 0 });
        added.push(key);
      }
    }
    if (sigops > LIMITS.maxBlockSigopsCost) throw new ValidationError('bad-blk-sigops', 'too many sigops');
    let cbOut = 0n;
    for (const o of block.txs[0].tx.outputs) cbOut += o.value;
    const limit = totalFees + blockSubsidy(ctx.height);
    if (cbOut > limit) throw new ValidationError('bad-cb-amount', `coinbase pays too much (actual=${cbOut} vs limit=${limit})`);
    return { undo, fees, totalFees };
  } catch (e) {
    for (const k of added) utxo.deleteByKey(k);
    for (let i = undo.length - 1; i >= 0; i--) utxo.addByKey(undoKeys[i], undo[i]);
    throw e;
  }
}

/**
 * checkInputScripts verifies every input of `tx` against the coins it spends; returns the
 * interpreter's error name of the first failing input, or null. P2WPKH spends take the
 * cached-midstate fast path; everything else goes through the interpreter.
 */
export function checkInputScripts(tx: Tx, coins: Coin[], flags: number, noFastPath = false): string | null {
  let pre: Bip143Precomputed | null = null;
  const getPre = (): Bip143Precomputed => (pre ??= precomputeBip143(tx));
  let checker: TxScriptChecker | null = null;
  for (let i = 0; i < tx.inputs.length; i++) {
    const c = coins[i];
    if (!noFastPath && fastVerifyP2wpkh(tx, i, c.script, c.value, getPre)) continue;
    checker ??= new TxScriptChecker(tx, coins.map((k): TxOut => ({ value: k.value, script: k.script })));
    const r = checker.verify(i, flags);
    if (!r.ok) return r.error;
  }
  return null;
}

/**
 * disconnectBlock is Core's DisconnectBlock: removes the block's outputs and restores the
 * coins it spent from its undo data.
 */
export function disconnectBlock(block: Block, undo: Coin[], utxo: UtxoSet): void {
  let u = undo.length;
  for (let ti = block.txs.length - 1; ti >= 0; ti--) {
    const t = block.txs[ti];
    for (let o = 0; o < t.tx.outputs.length; o++) utxo.deleteByKey(outpointKey(t.txid, o));
    if (ti === 0) continue;
    for (let i = t.tx.inputs.length - 1; i >= 0; i--) {
      const inp = t.tx.inputs[i];
      utxo.addByKey(outpointKey(inp.txid, inp.vout), undo[--u]);
    }
  }
}
