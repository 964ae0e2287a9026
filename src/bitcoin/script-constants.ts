/**
 * Constants and small shared types of the script interpreter: Core's consensus limits
 * (script.h), lock-time and sequence encodings (BIP65, BIP68, BIP112), signature versions,
 * and the per-execution data tapscript needs.
 */
import { ScriptFailure, type ScriptError } from './script-error.ts';
import type { TxSigHashCache } from './sighash-flags.ts';
import type { Tx, TxOut } from './tx.ts';

/** Consensus limits (Core's script.h). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_PUBKEYS_PER_MULTISIG = 20;
export const MAX_SCRIPT_SIZE = 10000;
export const MAX_STACK_SIZE = 1000;
/** nLockTime below this is a block height, at or above a UNIX time. */
export const LOCKTIME_THRESHOLD = 500000000;
/** BIP68 sequence fields. */
export const SEQUENCE_FINAL = 0xffffffff;
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
/** BIP342 validation-weight budget. */
export const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
export const VALIDATION_WEIGHT_OFFSET = 50;

/** The rules a script runs under (Core's SigVersion). */
export const SigVersion = { BASE: 0, WITNESS_V0: 1, TAPROOT: 2, TAPSCRIPT: 3 } as const;
/** One of the SigVersion values. */
export type SigVersion = (typeof SigVersion)[keyof typeof SigVersion];

/** What a signature check needs to know about the spending transaction. */
export interface SpendContext {
  tx: Tx;
  inputIndex: number;
  /** Value of the output being spent, in satoshis (BIP143 commits to it). */
  amount: bigint;
  /** All outputs the transaction spends, in input order; needed for taproot (BIP341). */
  prevouts?: TxOut[];
  /** Shared sighash midstates; computed on demand when absent. */
  cache?: TxSigHashCache;
}

/** Per-execution data (Core's ScriptExecutionData): codeseparator position, annex, leaf, budget. */
export interface ExecData {
  codesepPos: number;
  annex?: Uint8Array;
  leafHash?: Uint8Array;
  weightLeft: number;
}

/** fail aborts script execution with Core's error name. */
export function fail(e: ScriptError): never {
  throw new ScriptFailure(e);
}
