/**
 * bench/script: the consensus script interpreter.
 * - rows of Bitcoin Core's script_tests.json verified per second (every row once per pass);
 * - P2WPKH input verifications per second (BIP143 sighash + ECDSA + interpreter), the unit
 *   of block validation;
 * - taproot key-path input verifications per second.
 * Each is compared with libsecp256k1's native ECDSA verify rate measured in the same run
 * (ratio = figure ÷ native verifies/s; a P2WPKH ratio near 1 means the interpreter adds
 * little on top of the signature check).
 */
import { readFileSync } from 'node:fs';
import { concatBytes } from '../src/lib/index.ts';
import { getPublicKey, hash160, schnorrSign, signEcdsa, signatureToDer } from '../src/crypto/index.ts';
import {
  SCRIPT_VERIFY,
  SIGHASH_ALL,
  STANDARD_FLAGS,
  p2pkhScript,
  p2trScript,
  p2wpkhScript,
  precomputeTxData,
  segwitV0SigHash,
  taprootKeySpendSigHash,
  taprootOutputKey,
  taprootTweakPrivKey,
  verifyInput,
  verifyScript,
  type Tx,
  type TxOut,
} from '../src/bitcoin/index.ts';
import { creditingTx, parseScriptTestRow, spendingTx } from '../test/bitcoin/core-fixtures.ts';
import { isComment } from '../test/bitcoin/spec-data.ts';
import { nativeFloor, opsPerSec, report } from './harness.ts';

function scriptRows(): (() => unknown)[] {
  const rows = JSON.parse(readFileSync(new URL('../../shared/spec/bitcoin-core/script_tests.json', import.meta.url), 'utf8')) as unknown[][];
  return rows
    .filter((r) => !isComment(r))
    .map((raw) => {
      const row = parseScriptTestRow(raw);
      let flags = row.flags;
      if (flags & SCRIPT_VERIFY.CLEANSTACK) flags |= SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS;
      const credit = creditingTx(row.scriptPubKey, row.amount);
      const tx = spendingTx(credit, row.scriptSig, row.witness);
      const ctx = { tx, inputIndex: 0, amount: row.amount, prevouts: credit.outputs };
      return () => verifyScript(row.scriptSig, row.scriptPubKey, row.witness, flags, ctx);
    });
}

function oneInputTx(): Tx {
  return {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(1), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: [{ value: 90_000n, script: p2wpkhScript(new Uint8Array(20).fill(2)) }],
  };
}

export async function run(): Promise<void> {
  const floor = nativeFloor(300);

  const rows = scriptRows();
  let i = 0;
  const rowsPerSec = opsPerSec(() => rows[i++ % rows.length](), 3000, rows.length);
  report({
    name: 'script.script_tests_rows_per_s',
    value: rowsPerSec,
    unit: 'rows/s',
    baseline: 'libsecp256k1 native ecdsa verify/s',
    baseline_value: floor.verify,
    rows: rows.length,
  });

  const priv = new Uint8Array(32).fill(0x33);
  const pub = getPublicKey(priv);
  const tx = oneInputTx();
  const prevouts: TxOut[] = [{ value: 100_000n, script: p2wpkhScript(hash160(pub)) }];
  const h = segwitV0SigHash(tx, 0, p2pkhScript(hash160(pub)), 100_000n, SIGHASH_ALL);
  tx.inputs[0].witness = [concatBytes(signatureToDer(signEcdsa(h, priv)), Uint8Array.of(SIGHASH_ALL)), pub];
  const cache = precomputeTxData(tx, prevouts);
  if (!verifyInput(tx, 0, prevouts, STANDARD_FLAGS, cache).ok) throw new Error('bench setup: p2wpkh spend does not verify');
  const p2wpkh = opsPerSec(() => verifyInput(tx, 0, prevouts, STANDARD_FLAGS, cache), 2000, 16);
  report({
    name: 'script.p2wpkh_verify_per_s',
    value: p2wpkh,
    unit: 'inputs/s',
    baseline: 'libsecp256k1 native ecdsa verify/s',
    baseline_value: floor.verify,
  });

  const ttx = oneInputTx();
  const tkey = taprootTweakPrivKey(priv);
  const tprev: TxOut[] = [{ value: 100_000n, script: p2trScript(taprootOutputKey(pub.subarray(1)).key) }];
  ttx.inputs[0].witness = [schnorrSign(taprootKeySpendSigHash(ttx, 0, tprev, 0), tkey, new Uint8Array(32))];
  const tcache = precomputeTxData(ttx, tprev);
  if (!verifyInput(ttx, 0, tprev, STANDARD_FLAGS, tcache).ok) throw new Error('bench setup: p2tr spend does not verify');
  const p2tr = opsPerSec(() => verifyInput(ttx, 0, tprev, STANDARD_FLAGS, tcache), 2000, 4);
  report({
    name: 'script.p2tr_keypath_verify_per_s',
    value: p2tr,
    unit: 'inputs/s',
    baseline: 'libsecp256k1 native ecdsa verify/s',
    baseline_value: floor.verify,
    note: 'schnorr verify runs on @noble/curves (pure TS) through the crypto facade',
  });
}
