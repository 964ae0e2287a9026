/**
 * Builds the transactions Bitcoin Core's script_tests.json rows are evaluated in
 * (BuildCreditingTransaction / BuildSpendingTransaction in Core's script_tests.cpp) and
 * parses rows of the data files.
 */
import { fromHex } from '../../src/lib/index.ts';
import { toHex } from '../../src/lib/index.ts';
import { parseAsm, parseScriptFlags, taprootOutputKey, tapleafHash, TAPROOT_LEAF_TAPSCRIPT, txid, type Tx } from '../../src/bitcoin/index.ts';

/** BIP341's NUMS point H (x-only), the internal key Core's tests use for script-only outputs. */
export const NUMS_H = fromHex('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');

export interface ScriptTestRow {
  witness: Uint8Array[];
  amount: bigint;
  scriptSig: Uint8Array;
  scriptPubKey: Uint8Array;
  flags: number;
  flagNames: string;
  expected: string;
  comment: string;
}

/** parseScriptTestRow reads one non-comment row of script_tests.json. */
export function parseScriptTestRow(row: unknown[]): ScriptTestRow {
  let witness: Uint8Array[] = [];
  let amount = 0n;
  let r = row;
  let tapOutput: Uint8Array | null = null;
  if (Array.isArray(r[0])) {
    const w = r[0] as (string | number)[];
    amount = BigInt(Math.round((w[w.length - 1] as number) * 1e8));
    // Core's script_tests.cpp placeholders: '#SCRIPT# <asm>' is a tapscript leaf written in
    // asm, '#CONTROLBLOCK#' its control block for a one-leaf tree under NUMS_H, and
    // '#TAPROOTOUTPUT#' in the scriptPubKey the resulting output key.
    let leaf: Uint8Array | null = null;
    for (const item of w.slice(0, -1) as string[]) {
      if (item.startsWith('#SCRIPT#')) {
        leaf = parseAsm(item.slice('#SCRIPT#'.length));
        witness.push(leaf);
      } else if (item === '#CONTROLBLOCK#') {
        if (!leaf) throw new Error('#CONTROLBLOCK# before #SCRIPT#');
        const q = taprootOutputKey(NUMS_H, tapleafHash(TAPROOT_LEAF_TAPSCRIPT, leaf));
        tapOutput = q.key;
        witness.push(Uint8Array.of(TAPROOT_LEAF_TAPSCRIPT | q.parity, ...NUMS_H));
      } else witness.push(fromHex(item));
    }
    r = r.slice(1);
  }
  const [sig, pubAsm, flags, expected, comment] = r as string[];
  let pub = pubAsm;
  if (pub.includes('#TAPROOTOUTPUT#')) {
    if (!tapOutput) throw new Error('#TAPROOTOUTPUT# without a control block');
    pub = pub.replace('#TAPROOTOUTPUT#', '0x' + toHex(tapOutput));
  }
  return { witness, amount, scriptSig: parseAsm(sig), scriptPubKey: parseAsm(pub), flags: parseScriptFlags(flags), flagNames: flags, expected, comment: comment ?? '' };
}

/** creditingTx: version 1, one coinbase-like input with scriptSig "0 0", one output paying scriptPubKey. */
export function creditingTx(scriptPubKey: Uint8Array, amount: bigint): Tx {
  return {
    version: 1,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32), vout: 0xffffffff, scriptSig: Uint8Array.of(0, 0), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: amount, script: scriptPubKey }],
  };
}

/** spendingTx: spends output 0 of the crediting transaction with scriptSig and witness, into one empty output. */
export function spendingTx(credit: Tx, scriptSig: Uint8Array, witness: Uint8Array[]): Tx {
  return {
    version: 1,
    locktime: 0,
    inputs: [{ txid: txid(credit), vout: 0, scriptSig, sequence: 0xffffffff, witness }],
    outputs: [{ value: credit.outputs[0].value, script: new Uint8Array(0) }],
  };
}
