/**
 * bench/wallet: the wallet's two hot paths.
 * - Signing P2WPKH inputs (BIP143 sighash + ECDSA + DER) per second, against libsecp256k1
 *   native signing (the floor) measured in the same run.
 * - Coin selection over 500 UTXOs per second, against a naive largest-first selection (sort
 *   and accumulate) in the same run: the price of searching for less waste.
 */
import { nativeFloor, opsPerSec, report } from './harness.ts';
import type { Tx } from '../src/bitcoin/index.ts';
import { mnemonicToSeed, selectCoins, signP2wpkhInputs, WalletKeys, P2WPKH_INPUT_WEIGHT, type Candidate } from '../src/wallet/index.ts';

export async function run(): Promise<void> {
  const floor = nativeFloor(300);
  const keys = new WalletKeys(mnemonicToSeed('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'), 'regtest');
  const k = keys.derive(0, 0);
  const N = 50;
  const tx: Tx = {
    version: 2,
    locktime: 0,
    inputs: Array.from({ length: N }, (_, i) => ({ txid: new Uint8Array(32).fill(i + 1), vout: i, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] })),
    outputs: [{ value: 1_000_000n, script: k.script }],
  };
  const prevout = { value: 100_000n, script: k.script };
  const signers = tx.inputs.map(() => ({ prevout, privateKey: k.privateKey, publicKey: k.publicKey }));
  const txPerSec = opsPerSec(() => signP2wpkhInputs(tx, signers), 1500);
  report({ name: 'wallet.sign_p2wpkh_inputs', value: txPerSec * N, unit: 'inputs/s', baseline: 'libsecp256k1 native ecdsa sign', baseline_value: floor.sign, inputs_per_tx: N });

  // Deterministic pseudo-random pool (no Math.random in measured code).
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const pool: Candidate[] = Array.from({ length: 500 }, (_, i) => ({ id: `c${i}`, value: BigInt(10_000 + (next() % 5_000_000)), weight: P2WPKH_INPUT_WEIGHT }));
  const params = { target: 12_345_678n, feerate: 2000, baseWeight: 42 + 172, changeWeight: 124, changeSpendWeight: 272, minChange: 294n };
  const sel = opsPerSec(() => selectCoins(pool, params), 1500);
  const naive = opsPerSec(() => {
    const sorted = [...pool].sort((a, b) => (a.value > b.value ? -1 : 1));
    let sum = 0n;
    const out: Candidate[] = [];
    for (const c of sorted) {
      if (sum >= params.target + 10_000n) break;
      out.push(c);
      sum += c.value;
    }
    return out;
  }, 800);
  const s = selectCoins(pool, params)!;
  report({ name: 'wallet.coin_selection_500_utxos', value: sel, unit: 'selections/s', baseline: 'naive largest-first', baseline_value: naive, algorithm: s.algorithm, waste_sat: Number(s.waste), inputs: s.selected.length });
}
