/**
 * Transaction-building helpers of the wallet: weights of P2WPKH inputs and common outputs,
 * Bitcoin Core's dust thresholds, BIP69 ordering, and P2WPKH signing (BIP143 sighash, the
 * crypto facade's low-S ECDSA, DER, and the sighash type byte).
 */
import { SIGHASH_ALL, SIGHASH_DEFAULT, p2pkhScript, precomputeTxData, segwitV0SigHash, taprootKeySpendSigHash, type Tx, type TxOut, type TxSigHashCache } from '../bitcoin/index.ts';
import { hash160, schnorrSign, signEcdsa, signatureToDer } from '../crypto/index.ts';
import type { AddressType } from './keys.ts';
import { compareBytes, concatBytes } from '../lib/index.ts';

/** Weight of the version, locktime, one-byte input/output counts, and the segwit marker/flag. */
export const TX_BASE_WEIGHT = (4 + 4 + 1 + 1) * 4 + 2;

/**
 * Weight of a P2WPKH input: outpoint 36 + empty scriptSig 1 + sequence 4 (× 4), plus the
 * witness (item count 1, signature 1+72 including the sighash byte, pubkey 1+33). A low-S
 * DER signature is at most 71 bytes, so this never underestimates. (= 68 vbytes, as Core.)
 */
export const P2WPKH_INPUT_WEIGHT = (36 + 1 + 4) * 4 + (1 + 1 + 72 + 1 + 33);

/**
 * Weight of a P2TR key-path input: outpoint, empty scriptSig and sequence (× 4), plus the
 * witness (item count 1, length 1, a 64-byte BIP340 signature with SIGHASH_DEFAULT).
 */
export const P2TR_INPUT_WEIGHT = (36 + 1 + 4) * 4 + (1 + 1 + 64);

/** inputWeight of a wallet input by output type. */
export function inputWeight(type: AddressType): number {
  return type === 'p2tr' ? P2TR_INPUT_WEIGHT : P2WPKH_INPUT_WEIGHT;
}

/** Weight of an output paying to `script`: value 8 + length 1 (+2 past 252 bytes) + script. */
export function outputWeight(script: Uint8Array): number {
  const lenSize = script.length < 0xfd ? 1 : 3;
  return (8 + lenSize + script.length) * 4;
}

/** P2WPKH output weight (31 bytes). */
export const P2WPKH_OUTPUT_WEIGHT = outputWeight(new Uint8Array(22));

/** isWitnessProgram: OP_0..OP_16 followed by one direct push of 2 to 40 bytes (BIP141). */
export function isWitnessProgram(script: Uint8Array): boolean {
  if (script.length < 4 || script.length > 42) return false;
  const v = script[0];
  if (v !== 0 && (v < 0x51 || v > 0x60)) return false;
  return script[1] + 2 === script.length;
}

/**
 * dustLimit is Bitcoin Core's GetDustThreshold at the default dust relay fee of 3000
 * sat/kvB: the cost of the output plus the input that would spend it (148 bytes for
 * non-witness, 32+4+1+107/4+4 = 67 for witness programs). OP_RETURN outputs are exempt.
 * Gives 546 for P2PKH, 540 for P2SH, 294 for P2WPKH and 330 for P2WSH/P2TR.
 */
export function dustLimit(script: Uint8Array): bigint {
  if (script.length > 0 && script[0] === 0x6a) return 0n;
  const outSize = outputWeight(script) / 4;
  const inSize = isWitnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return BigInt(Math.floor(((outSize + inSize) * 3000) / 1000));
}

/** bip69Sort orders inputs by (txid display order, vout) and outputs by (value, script) — BIP69. */
export function bip69Sort(tx: Tx): void {
  const rev = (b: Uint8Array): Uint8Array => b.slice().reverse();
  tx.inputs.sort((a, b) => compareBytes(rev(a.txid), rev(b.txid)) || a.vout - b.vout);
  tx.outputs.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : compareBytes(a.script, b.script)));
}

/**
 * signP2wpkhInput fills input `i`'s witness. BIP143: "For P2WPKH witness program, the
 * scriptCode is 0x1976a914{20-byte-pubkey-hash}88ac." The witness is
 * `<DER signature || SIGHASH_ALL> <compressed pubkey>` (BIP141).
 */
export function signP2wpkhInput(tx: Tx, i: number, prevout: TxOut, privateKey: Uint8Array, publicKey: Uint8Array, cache?: TxSigHashCache): void {
  const scriptCode = p2pkhScript(hash160(publicKey));
  const digest = segwitV0SigHash(tx, i, scriptCode, prevout.value, SIGHASH_ALL, cache);
  const sig = signatureToDer(signEcdsa(digest, privateKey));
  tx.inputs[i].scriptSig = new Uint8Array(0);
  tx.inputs[i].witness = [concatBytes(sig, new Uint8Array([SIGHASH_ALL])), publicKey];
}

/**
 * signP2trKeyInput fills input `i`'s witness with a BIP341 key-path signature: one 64-byte
 * BIP340 signature with SIGHASH_DEFAULT over all `prevouts`. The auxiliary randomness is 32
 * zero bytes (BIP340 allows it; signing stays deterministic and free of injected state).
 */
export function signP2trKeyInput(tx: Tx, i: number, prevouts: TxOut[], tweakedPrivateKey: Uint8Array): void {
  const digest = taprootKeySpendSigHash(tx, i, prevouts, SIGHASH_DEFAULT);
  tx.inputs[i].scriptSig = new Uint8Array(0);
  tx.inputs[i].witness = [schnorrSign(digest, tweakedPrivateKey, new Uint8Array(32))];
}

/** What signs one wallet input. */
export interface InputSigner {
  type: AddressType;
  prevout: TxOut;
  /** Private key (P2WPKH) or BIP86-tweaked private key (P2TR). */
  signingKey: Uint8Array;
  publicKey: Uint8Array;
}

/** signInputs signs every input of a final transaction, P2WPKH and P2TR alike, in order. */
export function signInputs(tx: Tx, signers: InputSigner[]): void {
  const prevouts = signers.map((s) => s.prevout);
  const cache = precomputeTxData(tx, prevouts);
  signers.forEach((s, i) => {
    if (s.type === 'p2tr') signP2trKeyInput(tx, i, prevouts, s.signingKey);
    else signP2wpkhInput(tx, i, s.prevout, s.signingKey, s.publicKey, cache);
  });
}

/**
 * signP2wpkhInputs signs every input of a final transaction, computing BIP143's
 * hashPrevouts/hashSequence/hashOutputs once (witnesses are not part of them), so signing
 * n inputs is linear rather than quadratic.
 */
export function signP2wpkhInputs(tx: Tx, signers: { prevout: TxOut; privateKey: Uint8Array; publicKey: Uint8Array }[]): void {
  const cache = precomputeTxData(tx);
  signers.forEach((s, i) => signP2wpkhInput(tx, i, s.prevout, s.privateKey, s.publicKey, cache));
}
