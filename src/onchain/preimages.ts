/**
 * Payment preimages on chain: looking up the ones we hold by payment hash, and finding the
 * ones the counterparty reveals in its witnesses (BOLT #5: "MUST extract the payment
 * preimage from the transaction input witness").
 */
import { toHex } from '../lib/index.ts';
import { sha256 } from '../crypto/index.ts';
import type { Tx } from '../bitcoin/index.ts';

/** A lookup of preimages by payment hash. */
export class PreimageBook {
  private readonly byHash = new Map<string, Uint8Array>();
  constructor(preimages: readonly Uint8Array[] = []) {
    for (const p of preimages) this.add(p);
  }
  /** add records a 32-byte preimage. */
  add(preimage: Uint8Array): void {
    if (preimage.length !== 32) throw new RangeError('a payment preimage is 32 bytes');
    this.byHash.set(toHex(sha256(preimage)), preimage);
  }
  /** get returns the preimage of `paymentHash`, if known. */
  get(paymentHash: Uint8Array): Uint8Array | null {
    return this.byHash.get(toHex(paymentHash)) ?? null;
  }
}

/** A preimage revealed in a witness. */
export interface RevealedPreimage {
  inputIndex: number;
  paymentHash: Uint8Array;
  preimage: Uint8Array;
}

/**
 * extractPreimages finds, in every input witness of `tx`, 32-byte items that hash to one of
 * `paymentHashes` (the preimage of an HTLC-success transaction or of a direct claim of an
 * offered HTLC output).
 *
 * BOLT #5: "if the commitment transaction HTLC output is spent using the payment preimage,
 * the output is considered *irrevocably resolved*: MUST extract the payment preimage from
 * the transaction input witness."
 */
export function extractPreimages(tx: Tx, paymentHashes: readonly Uint8Array[]): RevealedPreimage[] {
  const wanted = new Map(paymentHashes.map((h) => [toHex(h), h] as const));
  const out: RevealedPreimage[] = [];
  tx.inputs.forEach((input, inputIndex) => {
    for (const item of input.witness) {
      if (item.length !== 32) continue;
      const h = wanted.get(toHex(sha256(item)));
      if (h) out.push({ inputIndex, paymentHash: h, preimage: item });
    }
  });
  return out;
}
