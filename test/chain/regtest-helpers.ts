/**
 * Shared fixtures for the regtest chain tests: deterministic keys, P2WPKH/P2WSH signing
 * with the Bitcoin layer's BIP143 sighash, and a chain with a fixed clock.
 */
import { concatBytes, utf8 } from '../../src/lib/index.ts';
import { getPublicKey, hash160, sha256, signEcdsa, signatureToDer } from '../../src/crypto/index.ts';
import { compileScript, p2wpkhScript, p2wshScript, segwitV0SigHash, type Tx, type TxOut } from '../../src/bitcoin/index.ts';
import { RegtestChain, txDataFromTx, type RegtestChainOptions, type TxData } from '../../src/chain/regtest/index.ts';

/** A test key with its P2WPKH script. */
export interface Key {
  priv: Uint8Array;
  pub: Uint8Array;
  script: Uint8Array;
}

/** key derives a deterministic key from a label. */
export function key(label: string): Key {
  const priv = sha256(utf8(`kite regtest test key ${label}`));
  const pub = getPublicKey(priv, true);
  return { priv, pub, script: p2wpkhScript(hash160(pub)) };
}

/** START_TIME is the fixed clock of test chains (2023-11-14). */
export const START_TIME = 1_700_000_000;

/** newChain makes an in-memory chain with a fixed clock. */
export function newChain(opts: RegtestChainOptions = {}): RegtestChain {
  let t = START_TIME;
  return new RegtestChain({ clock: () => t++, ...opts });
}

/** An output to spend. */
export interface Spendable {
  txid: Uint8Array;
  vout: number;
  value: bigint;
  key?: Key;
  /** For P2WSH: the witness script and a function building the witness stack from a signature. */
  witnessScript?: Uint8Array;
  stack?: (sig: Uint8Array) => Uint8Array[];
  sequence?: number;
}

/** spend builds and signs (P2WPKH or P2WSH, SIGHASH_ALL) a transaction. */
export function spend(ins: Spendable[], outputs: TxOut[], opts: { version?: number; locktime?: number; sequence?: number } = {}): TxData {
  const tx: Tx = {
    version: opts.version ?? 2,
    inputs: ins.map((i) => ({ txid: i.txid, vout: i.vout, scriptSig: new Uint8Array(0), sequence: i.sequence ?? opts.sequence ?? 0xfffffffd, witness: [] })),
    outputs,
    locktime: opts.locktime ?? 0,
  };
  ins.forEach((inp, idx) => {
    if (!inp.key) return;
    if (inp.witnessScript) {
      const h = segwitV0SigHash(tx, idx, inp.witnessScript, inp.value, 1);
      const sig = concatBytes(signatureToDer(signEcdsa(h, inp.key.priv)), Uint8Array.of(1));
      tx.inputs[idx].witness = [...(inp.stack ? inp.stack(sig) : [sig]), inp.witnessScript];
    } else {
      const scriptCode = compileScript([0x76, 0xa9, hash160(inp.key.pub), 0x88, 0xac]);
      const h = segwitV0SigHash(tx, idx, scriptCode, inp.value, 1);
      const sig = concatBytes(signatureToDer(signEcdsa(h, inp.key.priv)), Uint8Array.of(1));
      tx.inputs[idx].witness = [sig, inp.key.pub];
    }
  });
  return txDataFromTx(tx);
}

/** coinbaseOf returns the spendable coinbase output of the block at `height`. */
export function coinbaseOf(chain: RegtestChain, height: number, k: Key): Spendable {
  const e = chain.entryAt(height)!;
  const cb = e.block.txs[0];
  return { txid: cb.txid, vout: 0, value: cb.tx.outputs[0].value, key: k };
}

/** matureChain returns a chain with 101 blocks mined to `k` (the first coinbase is spendable in the next block) plus `extra` more. */
export function matureChain(k: Key, extra = 0, opts: RegtestChainOptions = {}): RegtestChain {
  const chain = newChain(opts);
  chain.generate(101 + extra, k.script);
  return chain;
}

/** p2wsh builds a P2WSH output script for a witness script. */
export function p2wsh(ws: Uint8Array): Uint8Array {
  return p2wshScript(ws);
}
