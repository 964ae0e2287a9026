/**
 * Layer 1: Bitcoin. Transactions, scripts, signature hashes, addresses and the consensus
 * script interpreter. See README.md in this folder.
 */
export * from './tx.ts';
export * from './compact-size.ts';
export * from './sighash-flags.ts';
export * from './hash-hex.ts';
export * from './block-header.ts';
export * from './script.ts';
export * from './sighash.ts';
export * from './tx-digest.ts';
export * from './address.ts';
export * from './script-flags.ts';
export * from './script-error.ts';
export * from './signature-encoding.ts';
export * from './taproot.ts';
export * from './script-constants.ts';
export { verifyScript, verifyInput, verifyTx, isOpSuccess } from './interpreter.ts';
export { evalScript, castToBool, checkMinimalPush } from './eval-script.ts';
export { findAndDelete, evalChecksig, opCheckMultisig } from './eval-checksig.ts';
export { SignatureChecker, checkSignatureEncoding, checkPubKeyEncoding } from './signature-checker.ts';
export * from './tx-check.ts';
export * from './sigops.ts';
