/**
 * The signature checker of one input (Core's GenericTransactionSignatureChecker): ECDSA with
 * legacy or BIP143 sighashes, BIP340 Schnorr with BIP341/342 sighashes, and the lock-time
 * checks of BIP65 and BIP112. Also the signature and public-key encoding rules.
 */
import { schnorrVerify, verifyEcdsa } from '../crypto/index.ts';
import { SCRIPT_VERIFY as F } from './script-flags.ts';
import { legacySigHash, precomputeTxData, taprootSigHash } from './sighash.ts';
import type { TxSigHashCache } from './sighash-flags.ts';
import { segwitV0SigHash } from './tx-digest.ts';
import {
  isCompressedOrUncompressedPubKey,
  isCompressedPubKey,
  isDefinedHashtypeSignature,
  isLowDerSignature,
  isValidSignatureEncoding,
  normalizePubKeyForVerify,
  parseDerLax,
} from './signature-encoding.ts';
import {
  LOCKTIME_THRESHOLD,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
  SigVersion,
  fail,
  type ExecData,
  type SpendContext,
} from './script-constants.ts';

/** The signature checker of one input (Core's GenericTransactionSignatureChecker). */
export class SignatureChecker {
  private cache: TxSigHashCache | undefined;
  constructor(readonly ctx: SpendContext) {
    this.cache = ctx.cache;
  }

  private txdata(): TxSigHashCache {
    if (!this.cache) this.cache = precomputeTxData(this.ctx.tx, this.ctx.prevouts);
    return this.cache;
  }

  checkEcdsa(sigIn: Uint8Array, pubIn: Uint8Array, scriptCode: Uint8Array, sigversion: SigVersion): boolean {
    const pub = normalizePubKeyForVerify(pubIn);
    if (!pub) return false;
    if (sigIn.length === 0) return false;
    const hashType = sigIn[sigIn.length - 1];
    const compact = parseDerLax(sigIn.subarray(0, sigIn.length - 1));
    if (!compact) return false;
    const { tx, inputIndex, amount } = this.ctx;
    const hash =
      sigversion === SigVersion.WITNESS_V0
        ? segwitV0SigHash(tx, inputIndex, scriptCode, amount, hashType, this.txdata())
        : legacySigHash(tx, inputIndex, scriptCode, hashType);
    return verifyEcdsa(compact, hash, pub, true);
  }

  /** CheckSchnorrSignature: throws the matching ScriptFailure when the signature is not valid. */
  checkSchnorr(sigIn: Uint8Array, pub: Uint8Array, sigversion: SigVersion, exec: ExecData): void {
    if (sigIn.length !== 64 && sigIn.length !== 65) fail('SCHNORR_SIG_SIZE');
    let sig = sigIn;
    let hashType = 0;
    if (sig.length === 65) {
      hashType = sig[64];
      sig = sig.subarray(0, 64);
      if (hashType === 0) fail('SCHNORR_SIG_HASHTYPE');
    }
    const { tx, inputIndex } = this.ctx;
    const prevouts = this.ctx.prevouts;
    if (!prevouts || prevouts.length !== tx.inputs.length) fail('UNKNOWN_ERROR'); // missing spent outputs
    const cache = this.txdata();
    const h = taprootSigHash(tx, inputIndex, prevouts, hashType, {
      annex: exec.annex,
      leafHash: sigversion === SigVersion.TAPSCRIPT ? exec.leafHash : undefined,
      codesepPos: exec.codesepPos,
      cache: cache.shaAmounts ? cache : undefined,
    });
    if (!h) fail('SCHNORR_SIG_HASHTYPE');
    if (!schnorrVerify(sig, h, pub)) fail('SCHNORR_SIG');
  }

  /** CheckLockTime (BIP65). */
  checkLockTime(lockTime: bigint): boolean {
    const tx = this.ctx.tx;
    const txLock = BigInt(tx.locktime >>> 0);
    const T = BigInt(LOCKTIME_THRESHOLD);
    // BIP65: the lock time and the transaction's nLockTime must be of the same kind.
    if (!((txLock < T && lockTime < T) || (txLock >= T && lockTime >= T))) return false;
    if (lockTime > txLock) return false;
    // BIP65: a final input sequence (0xffffffff) would disable nLockTime, so it fails.
    if (tx.inputs[this.ctx.inputIndex].sequence >>> 0 === SEQUENCE_FINAL) return false;
    return true;
  }

  /** CheckSequence (BIP112, with BIP68's encoding). */
  checkSequence(sequence: bigint): boolean {
    const tx = this.ctx.tx;
    const txSeq = tx.inputs[this.ctx.inputIndex].sequence >>> 0;
    // BIP112: relative lock times need transaction version 2 or more.
    if (tx.version >>> 0 < 2) return false;
    if (txSeq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const mask = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK);
    const txMasked = BigInt(txSeq) & mask;
    const masked = sequence & mask;
    const TYPE = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG);
    if (!((txMasked < TYPE && masked < TYPE) || (txMasked >= TYPE && masked >= TYPE))) return false;
    return masked <= txMasked;
  }
}

/** checkSignatureEncoding is Core's CheckSignatureEncoding (DERSIG, LOW_S, STRICTENC). */
export function checkSignatureEncoding(sig: Uint8Array, flags: number): void {
  // Core: "Empty signature. Not strictly DER encoded, but allowed to provide a compact way
  // to provide an invalid signature for use with CHECK(MULTI)SIG".
  if (sig.length === 0) return;
  if (flags & (F.DERSIG | F.LOW_S | F.STRICTENC) && !isValidSignatureEncoding(sig)) fail('SIG_DER');
  if (flags & F.LOW_S && !isLowDerSignature(sig)) fail('SIG_HIGH_S');
  if (flags & F.STRICTENC && !isDefinedHashtypeSignature(sig)) fail('SIG_HASHTYPE');
}

/** checkPubKeyEncoding is Core's CheckPubKeyEncoding (STRICTENC, WITNESS_PUBKEYTYPE). */
export function checkPubKeyEncoding(pub: Uint8Array, flags: number, sigversion: SigVersion): void {
  if (flags & F.STRICTENC && !isCompressedOrUncompressedPubKey(pub)) fail('PUBKEYTYPE');
  // BIP143 policy (WITNESS_PUBKEYTYPE): only compressed public keys in P2WPKH and P2WSH.
  if (flags & F.WITNESS_PUBKEYTYPE && sigversion === SigVersion.WITNESS_V0 && !isCompressedPubKey(pub)) fail('WITNESS_PUBKEYTYPE');
}

/** EvalChecksigPreTapscript / EvalChecksigTapscript; returns whether the signature was valid. */
