/**
 * Layer 1: Bitcoin. Transactions, scripts, signature hashes, addresses and the consensus
 * script interpreter. See README.md in this folder.
 */
export * from './tx.ts';
export * from './script.ts';
export * from './sighash.ts';
export * from './address.ts';
export * from './script-flags.ts';
export * from './script-error.ts';
export * from './signature-encoding.ts';
export * from './taproot.ts';
export {
  verifyScript,
  verifyInput,
  verifyTx,
  castToBool,
  checkMinimalPush,
  findAndDelete,
  isOpSuccess,
  SigVersion,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_OPS_PER_SCRIPT,
  MAX_PUBKEYS_PER_MULTISIG,
  MAX_SCRIPT_SIZE,
  MAX_STACK_SIZE,
  LOCKTIME_THRESHOLD,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  type SpendContext,
} from './interpreter.ts';
export * from './tx-check.ts';
export * from './sigops.ts';
