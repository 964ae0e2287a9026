/**
 * Script verification flags, with Bitcoin Core's bit values (src/script/interpreter.h), and
 * the standard and mandatory sets of Core's policy (src/policy/policy.h).
 */

/** SCRIPT_VERIFY holds each verification flag as a bit, named as in Core without the prefix. */
export const SCRIPT_VERIFY = {
  NONE: 0,
  P2SH: 1 << 0,
  STRICTENC: 1 << 1,
  DERSIG: 1 << 2,
  LOW_S: 1 << 3,
  NULLDUMMY: 1 << 4,
  SIGPUSHONLY: 1 << 5,
  MINIMALDATA: 1 << 6,
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
  CHECKSEQUENCEVERIFY: 1 << 10,
  WITNESS: 1 << 11,
  DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: 1 << 12,
  MINIMALIF: 1 << 13,
  NULLFAIL: 1 << 14,
  WITNESS_PUBKEYTYPE: 1 << 15,
  CONST_SCRIPTCODE: 1 << 16,
  TAPROOT: 1 << 17,
  DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: 1 << 18,
  DISCOURAGE_OP_SUCCESS: 1 << 19,
  DISCOURAGE_UPGRADABLE_PUBKEYTYPE: 1 << 20,
} as const;

export type ScriptVerifyFlagName = keyof typeof SCRIPT_VERIFY;

const F = SCRIPT_VERIFY;

/**
 * MANDATORY_FLAGS are the consensus rules in force today (Core's
 * MANDATORY_SCRIPT_VERIFY_FLAGS): a transaction failing these is invalid, not just non-standard.
 */
export const MANDATORY_FLAGS: number =
  F.P2SH | F.DERSIG | F.NULLDUMMY | F.CHECKLOCKTIMEVERIFY | F.CHECKSEQUENCEVERIFY | F.WITNESS | F.TAPROOT;

/** STANDARD_FLAGS are Core's STANDARD_SCRIPT_VERIFY_FLAGS: the mempool policy rules. */
export const STANDARD_FLAGS: number =
  MANDATORY_FLAGS |
  F.STRICTENC |
  F.MINIMALDATA |
  F.DISCOURAGE_UPGRADABLE_NOPS |
  F.CLEANSTACK |
  F.MINIMALIF |
  F.NULLFAIL |
  F.LOW_S |
  F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
  F.WITNESS_PUBKEYTYPE |
  F.CONST_SCRIPTCODE |
  F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  F.DISCOURAGE_OP_SUCCESS |
  F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

/** ALL_FLAGS is every flag the interpreter knows. */
export const ALL_FLAGS: number = Object.values(SCRIPT_VERIFY).reduce((a, b) => a | b, 0);

/**
 * parseScriptFlags reads Core's test-data notation ("P2SH,STRICTENC", "NONE" or "") into a
 * bit set. Unknown names throw, so a typo in test data cannot silently weaken a check.
 */
export function parseScriptFlags(s: string): number {
  let flags = 0;
  for (const name of s.split(',')) {
    if (name === '' || name === 'NONE') continue;
    const v = (SCRIPT_VERIFY as Record<string, number>)[name];
    if (v === undefined) throw new RangeError(`unknown script verify flag ${name}`);
    flags |= v;
  }
  return flags >>> 0;
}

/** formatScriptFlags names the set bits, for messages. */
export function formatScriptFlags(flags: number): string {
  const names = Object.entries(SCRIPT_VERIFY)
    .filter(([n, v]) => v !== 0 && (flags & v) !== 0 && n !== 'NONE')
    .map(([n]) => n);
  return names.length ? names.join(',') : 'NONE';
}
