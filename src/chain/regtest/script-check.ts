/**
 * The seam between the chain and the consensus script interpreter (src/bitcoin/
 * interpreter.ts): input verification with one shared sighash cache per transaction (Core's
 * PrecomputedTransactionData), and Bitcoin Core's flag sets.
 */
import { MANDATORY_FLAGS, SCRIPT_VERIFY, STANDARD_FLAGS, precomputeTxData, verifyInput, type Tx, type TxOut } from '../../bitcoin/index.ts';

/** Script verification of all inputs of one transaction, sharing the sighash midstate. */
export class TxScriptChecker {
  private cache: ReturnType<typeof precomputeTxData> | null = null;
  constructor(
    readonly tx: Tx,
    readonly prevouts: TxOut[],
  ) {}
  /** verify runs the interpreter on input i with `flags`; returns Core's ScriptError name on failure. */
  verify(i: number, flags: number): { ok: true } | { ok: false; error: string } {
    this.cache ??= precomputeTxData(this.tx, this.prevouts);
    return verifyInput(this.tx, i, this.prevouts, flags, this.cache);
  }
}

/** scriptFlag reads one SCRIPT_VERIFY flag bit by name (0 if the interpreter does not define it). */
export function scriptFlag(name: string): number {
  return ((SCRIPT_VERIFY as unknown as Record<string, number>)[name] ?? 0) >>> 0;
}

/** Core's STANDARD_SCRIPT_VERIFY_FLAGS (relay policy) and MANDATORY_SCRIPT_VERIFY_FLAGS (consensus). */
export const standardFlags = (): number => STANDARD_FLAGS;
/** mandatoryFlags: the consensus flag set (Core's MANDATORY_SCRIPT_VERIFY_FLAGS). */
export const mandatoryFlags = (): number => MANDATORY_FLAGS;
