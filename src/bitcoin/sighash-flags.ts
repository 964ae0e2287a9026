/**
 * Signature hash types and the per-transaction hash cache that BIP143 and BIP341 share. They
 * live apart from sighash.ts so that the digest code (tx-digest.ts) and the signature hashes
 * can both use them without importing each other.
 */

export const SIGHASH_DEFAULT = 0;
export const SIGHASH_ALL = 1;
export const SIGHASH_NONE = 2;
export const SIGHASH_SINGLE = 3;
export const SIGHASH_ANYONECANPAY = 0x80;

/** The digest Core returns for SIGHASH_SINGLE without a matching output: uint256 one (little-endian). */
export const SIGHASH_ONE: Uint8Array = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/**
 * TxSigHashCache holds the per-transaction hashes BIP143 and BIP341 reuse across inputs (Core's
 * PrecomputedTransactionData), so that verifying every input is linear, not quadratic.
 * Build it with precomputeTxData once the transaction is final; it must not be reused after
 * the transaction changes.
 */
export interface TxSigHashCache {
  hashPrevouts?: Uint8Array;
  hashSequence?: Uint8Array;
  hashOutputs?: Uint8Array;
  // single-SHA256 forms for BIP341
  shaPrevouts?: Uint8Array;
  shaSequences?: Uint8Array;
  shaOutputs?: Uint8Array;
  shaAmounts?: Uint8Array;
  shaScriptPubkeys?: Uint8Array;
}
