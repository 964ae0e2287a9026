/**
 * Script errors, named exactly as Bitcoin Core's test data names them (the
 * `expected_scripterror` column of script_tests.json, Core's FormatScriptError).
 */
export type ScriptError =
  | 'OK'
  | 'UNKNOWN_ERROR'
  | 'EVAL_FALSE'
  | 'OP_RETURN'
  | 'SCRIPT_SIZE'
  | 'PUSH_SIZE'
  | 'OP_COUNT'
  | 'STACK_SIZE'
  | 'SIG_COUNT'
  | 'PUBKEY_COUNT'
  | 'VERIFY'
  | 'EQUALVERIFY'
  | 'CHECKMULTISIGVERIFY'
  | 'CHECKSIGVERIFY'
  | 'NUMEQUALVERIFY'
  | 'BAD_OPCODE'
  | 'DISABLED_OPCODE'
  | 'INVALID_STACK_OPERATION'
  | 'INVALID_ALTSTACK_OPERATION'
  | 'UNBALANCED_CONDITIONAL'
  | 'NEGATIVE_LOCKTIME'
  | 'UNSATISFIED_LOCKTIME'
  | 'SIG_HASHTYPE'
  | 'SIG_DER'
  | 'MINIMALDATA'
  | 'SIG_PUSHONLY'
  | 'SIG_HIGH_S'
  | 'SIG_NULLDUMMY'
  | 'PUBKEYTYPE'
  | 'CLEANSTACK'
  | 'MINIMALIF'
  | 'NULLFAIL'
  | 'DISCOURAGE_UPGRADABLE_NOPS'
  | 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM'
  | 'DISCOURAGE_UPGRADABLE_TAPROOT_VERSION'
  | 'DISCOURAGE_OP_SUCCESS'
  | 'DISCOURAGE_UPGRADABLE_PUBKEYTYPE'
  | 'WITNESS_PROGRAM_WRONG_LENGTH'
  | 'WITNESS_PROGRAM_WITNESS_EMPTY'
  | 'WITNESS_PROGRAM_MISMATCH'
  | 'WITNESS_MALLEATED'
  | 'WITNESS_MALLEATED_P2SH'
  | 'WITNESS_UNEXPECTED'
  | 'WITNESS_PUBKEYTYPE'
  | 'SCHNORR_SIG_SIZE'
  | 'SCHNORR_SIG_HASHTYPE'
  | 'SCHNORR_SIG'
  | 'TAPROOT_WRONG_CONTROL_SIZE'
  | 'TAPSCRIPT_VALIDATION_WEIGHT'
  | 'TAPSCRIPT_CHECKMULTISIG'
  | 'TAPSCRIPT_MINIMALIF'
  | 'TAPSCRIPT_EMPTY_PUBKEY'
  | 'OP_CODESEPARATOR'
  | 'SIG_FINDANDDELETE';

/** ScriptFailure is thrown inside the interpreter and turned into a ScriptResult at its edge. */
export class ScriptFailure {
  constructor(readonly error: ScriptError) {}
}

/** The outcome of verifying one input: Core's ScriptError name on failure. */
export type ScriptResult = { ok: true } | { ok: false; error: ScriptError | string };
