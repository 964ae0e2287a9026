/**
 * The channel Signer: the only holder of a channel's base secrets. Channel logic asks it for
 * specific signatures (funding spends, HTLC transactions, sweeps, penalties, anchors) and
 * never sees a private key. InMemorySigner derives the secrets deterministically from the
 * node secret and a channel key index, so they can be re-derived after a restart.
 */
import { concatBytes, utf8, Writer } from '../lib/index.ts';
import { getPublicKey, hash160, hmacSha256, isPrivateKey, signEcdsa } from '../crypto/index.ts';
import { p2pkhScript, segwitV0SigHash, SIGHASH_ALL, type Tx, type TxSigHashCache } from '../bitcoin/index.ts';
import type { ChannelPublicKeys } from './commitment-keys.ts';
import { derivePrivkey, derivePubkey, deriveRevocationPrivkey, deriveRevocationPubkey, perCommitmentPoint } from './derivation.ts';
import { perCommitmentSecret } from './per-commitment.ts';

/** A signature the Signer made: compact (r || s), low-S, and the sighash type it commits to. */
export interface TxSignature {
  sig: Uint8Array;
  sighashType: number;
}

/** The spend a signature is for: an input of `tx` spending `amount` sats locked by `witnessScript`. */
export interface SpendRef {
  tx: Tx;
  inputIndex: number;
  /** The P2WSH witness script (BIP 143 scriptCode) of the output being spent. */
  witnessScript: Uint8Array;
  amount: bigint;
  /** Optional precomputed BIP143 parts shared by several transactions (e.g. hashSequence). */
  sighashCache?: TxSigHashCache;
}

/**
 * ChannelSigner signs exactly the transactions BOLT 3 defines, each with the one key that
 * spend needs. Every method refuses (throws) a script that does not contain the key it
 * would sign with, so a confused caller cannot make it sign for something else.
 */
export interface ChannelSigner {
  /** Our basepoints and funding key, as sent in open_channel / accept_channel. */
  readonly pubkeys: ChannelPublicKeys;
  /** Our per-commitment point for commitment number n (BOLT #3 "per_commitment_point"). */
  perCommitmentPoint(commitmentNumber: bigint): Uint8Array;
  /** Our per-commitment secret for commitment n, to revoke it (revoke_and_ack). */
  releasePerCommitmentSecret(commitmentNumber: bigint): Uint8Array;
  /** Signs a commitment transaction (ours or theirs) with the funding key, SIGHASH_ALL. */
  signCommitment(spend: SpendRef): TxSignature;
  /** Signs a cooperative closing transaction with the funding key, SIGHASH_ALL. */
  signClosing(spend: SpendRef): TxSignature;
  /**
   * Signs with our HTLC key for the commitment with `perCommitmentPoint`: HTLC-timeout and
   * HTLC-success transactions (theirs: SIGHASH_ALL or SINGLE|ANYONECANPAY for anchors;
   * ours: SIGHASH_ALL), and our preimage/timeout claims of HTLC outputs on their commitment.
   */
  signHtlc(spend: SpendRef, perCommitmentPoint: Uint8Array, sighashType: number): TxSignature;
  /** signHtlcs is signHtlc for every HTLC transaction of one commitment, deriving the key once. */
  signHtlcs(spends: readonly SpendRef[], perCommitmentPoint: Uint8Array, sighashType: number): TxSignature[];
  /** Signs a spend of our delayed output (to_local or HTLC-tx output) on our commitment. */
  signDelayed(spend: SpendRef, perCommitmentPoint: Uint8Array): TxSignature;
  /**
   * Signs a spend of our `to_remote` output on their commitment with the payment basepoint
   * secret: P2WPKH (witnessScript null) or the anchors script.
   */
  signToRemote(spend: Omit<SpendRef, 'witnessScript'> & { witnessScript: Uint8Array | null }): TxSignature;
  /** Signs a penalty spend with the revocation key of a revoked commitment of theirs. */
  signRevoked(spend: SpendRef, counterpartyPerCommitmentSecret: Uint8Array): TxSignature;
  /** Signs a spend of our anchor output with the funding key. */
  signAnchor(spend: SpendRef): TxSignature;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The base secrets of one channel. */
export interface ChannelSecrets {
  fundingKey: Uint8Array;
  revocationBaseSecret: Uint8Array;
  paymentBaseSecret: Uint8Array;
  delayedPaymentBaseSecret: Uint8Array;
  htlcBaseSecret: Uint8Array;
  /** The seed of our per-commitment secrets (BOLT #3 "MUST select an unguessable 256-bit seed"). */
  shachainSeed: Uint8Array;
}

const LABELS = ['funding', 'revocation', 'payment', 'delayed_payment', 'htlc', 'shachain'] as const;

/**
 * deriveChannelSecrets derives a channel's base secrets from the node secret and a channel
 * key index: channel_seed = HMAC-SHA256(node_secret, "kite/channel/v1" || u64 index), then
 * each secret = HMAC-SHA256(channel_seed, label || u8 counter), with the counter bumped in
 * the (negligible) case the result is not a valid private key.
 */
export function deriveChannelSecrets(nodeSecret: Uint8Array, channelKeyIndex: bigint): ChannelSecrets {
  if (nodeSecret.length !== 32) throw new RangeError('node secret must be 32 bytes');
  const channelSeed = hmacSha256(nodeSecret, concatBytes(utf8('kite/channel/v1'), new Writer(8).u64(channelKeyIndex).finish()));
  const out: Uint8Array[] = [];
  for (const label of LABELS) {
    for (let counter = 0; ; counter++) {
      const k = hmacSha256(channelSeed, concatBytes(utf8(label), Uint8Array.of(counter)));
      if (label === 'shachain' || isPrivateKey(k)) {
        out.push(k);
        break;
      }
    }
  }
  const [fundingKey, revocationBaseSecret, paymentBaseSecret, delayedPaymentBaseSecret, htlcBaseSecret, shachainSeed] = out as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ];
  return { fundingKey, revocationBaseSecret, paymentBaseSecret, delayedPaymentBaseSecret, htlcBaseSecret, shachainSeed };
}

/** InMemorySigner keeps a channel's secrets in memory. */
export class InMemorySigner implements ChannelSigner {
  readonly pubkeys: ChannelPublicKeys;

  constructor(private readonly secrets: ChannelSecrets) {
    this.pubkeys = {
      fundingPubkey: getPublicKey(secrets.fundingKey),
      revocationBasepoint: getPublicKey(secrets.revocationBaseSecret),
      paymentBasepoint: getPublicKey(secrets.paymentBaseSecret),
      delayedPaymentBasepoint: getPublicKey(secrets.delayedPaymentBaseSecret),
      htlcBasepoint: getPublicKey(secrets.htlcBaseSecret),
    };
  }

  /** fromNodeSecret derives the signer of channel number `channelKeyIndex` (see deriveChannelSecrets). */
  static fromNodeSecret(nodeSecret: Uint8Array, channelKeyIndex: bigint): InMemorySigner {
    return new InMemorySigner(deriveChannelSecrets(nodeSecret, channelKeyIndex));
  }

  perCommitmentPoint(commitmentNumber: bigint): Uint8Array {
    return perCommitmentPoint(perCommitmentSecret(this.secrets.shachainSeed, commitmentNumber));
  }

  releasePerCommitmentSecret(commitmentNumber: bigint): Uint8Array {
    return perCommitmentSecret(this.secrets.shachainSeed, commitmentNumber);
  }

  private sign(spend: SpendRef, scriptCode: Uint8Array, key: Uint8Array, sighashType: number): TxSignature {
    if (spend.inputIndex < 0 || spend.inputIndex >= spend.tx.inputs.length) throw new RangeError('input index out of range');
    const digest = segwitV0SigHash(spend.tx, spend.inputIndex, scriptCode, spend.amount, sighashType, spend.sighashCache);
    return { sig: signEcdsa(digest, key), sighashType };
  }

  private requireKey(script: Uint8Array, pub: Uint8Array, what: string): void {
    if (!contains(script, pub)) throw new Error(`signer: the script does not pay to our ${what} key`);
  }

  signCommitment(spend: SpendRef): TxSignature {
    this.requireKey(spend.witnessScript, this.pubkeys.fundingPubkey, 'funding');
    return this.sign(spend, spend.witnessScript, this.secrets.fundingKey, SIGHASH_ALL);
  }

  signClosing(spend: SpendRef): TxSignature {
    return this.signCommitment(spend);
  }

  signHtlc(spend: SpendRef, point: Uint8Array, sighashType: number): TxSignature {
    return this.signHtlcs([spend], point, sighashType)[0]!;
  }

  signHtlcs(spends: readonly SpendRef[], point: Uint8Array, sighashType: number): TxSignature[] {
    if (spends.length === 0) return [];
    // One key derivation for every HTLC of the commitment. The public key is taken from the
    // derived private key (one base-point multiplication) rather than derivePubkey's
    // basepoint + tweak*G, which also parses and decompresses the basepoint: same point.
    const priv = derivePrivkey(this.secrets.htlcBaseSecret, point, this.pubkeys.htlcBasepoint);
    const pub = getPublicKey(priv);
    return spends.map((spend) => {
      this.requireKey(spend.witnessScript, pub, 'HTLC');
      return this.sign(spend, spend.witnessScript, priv, sighashType);
    });
  }

  signDelayed(spend: SpendRef, point: Uint8Array): TxSignature {
    this.requireKey(spend.witnessScript, derivePubkey(this.pubkeys.delayedPaymentBasepoint, point), 'delayed payment');
    const priv = derivePrivkey(this.secrets.delayedPaymentBaseSecret, point, this.pubkeys.delayedPaymentBasepoint);
    return this.sign(spend, spend.witnessScript, priv, SIGHASH_ALL);
  }

  signToRemote(spend: Omit<SpendRef, 'witnessScript'> & { witnessScript: Uint8Array | null }): TxSignature {
    const pub = this.pubkeys.paymentBasepoint;
    const scriptCode = spend.witnessScript ?? p2pkhScript(hash160(pub));
    if (spend.witnessScript) this.requireKey(spend.witnessScript, pub, 'payment');
    return this.sign({ ...spend, witnessScript: scriptCode }, scriptCode, this.secrets.paymentBaseSecret, SIGHASH_ALL);
  }

  signRevoked(spend: SpendRef, secret: Uint8Array): TxSignature {
    const revocationPubkey = deriveRevocationPubkey(this.pubkeys.revocationBasepoint, perCommitmentPoint(secret));
    // to_local and HTLC-tx outputs carry the key; HTLC outputs carry its HASH160.
    if (!contains(spend.witnessScript, revocationPubkey) && !contains(spend.witnessScript, hash160(revocationPubkey))) {
      throw new Error('signer: the script does not pay to the revocation key of this secret');
    }
    return this.sign(spend, spend.witnessScript, deriveRevocationPrivkey(this.secrets.revocationBaseSecret, secret), SIGHASH_ALL);
  }

  signAnchor(spend: SpendRef): TxSignature {
    this.requireKey(spend.witnessScript, this.pubkeys.fundingPubkey, 'funding');
    return this.sign(spend, spend.witnessScript, this.secrets.fundingKey, SIGHASH_ALL);
  }
}
