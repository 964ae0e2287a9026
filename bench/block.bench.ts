/**
 * bench/block: block validation throughput of the embedded regtest chain — transactions
 * per second for a block of 1000 one-input P2WPKH spends, against the rate at which
 * libsecp256k1 (native) verifies ECDSA signatures in the same run (one signature per
 * transaction, so 1.0 would mean validation costs nothing beyond signature checks).
 *
 * The transactions are built and signed before timing. "connectBlock" times what
 * ConnectBlock does (inputs, amounts, BIP68, sigops, scripts, UTXO updates); "full" also
 * parses the raw block and runs the context-free and contextual checks.
 */
import { concatBytes, utf8 } from '../src/lib/index.ts';
import { getPublicKey, hash160, sha256, signEcdsa, signatureToDer } from '../src/crypto/index.ts';
import { p2wpkhScript, segwitV0SigHash, compileScript, type Tx } from '../src/bitcoin/index.ts';
import {
  RegtestChain,
  checkBlock,
  connectBlock,
  contextualCheckBlock,
  disconnectBlock,
  parseBlock,
  serializeBlock,
  txDataFromTx,
  type Block,
  type TxData,
} from '../src/chain/regtest/index.ts';
import { nativeSecp, report } from './harness.ts';

const N = 1000;

function signP2wpkh(tx: Tx, i: number, priv: Uint8Array, pub: Uint8Array, value: bigint): void {
  const scriptCode = compileScript([0x76, 0xa9, hash160(pub), 0x88, 0xac]);
  const sig = signatureToDer(signEcdsa(segwitV0SigHash(tx, i, scriptCode, value, 1), priv));
  tx.inputs[i].witness = [concatBytes(sig, Uint8Array.of(1)), pub];
}

/** prepare builds a chain with N mature P2WPKH coins and a block spending each one. */
function prepare(): { chain: RegtestChain; block: Block } {
  let t = 1_700_000_000;
  const chain = new RegtestChain({ clock: () => t++ });
  const priv = sha256(utf8('bench key'));
  const pub = getPublicKey(priv, true);
  const script = p2wpkhScript(hash160(pub));
  chain.generate(101, script);
  const cb = chain.entryAt(1)!.block.txs[0];
  const each = (cb.tx.outputs[0].value - 100_000n) / BigInt(N);
  const fan: Tx = {
    version: 2,
    inputs: [{ txid: cb.txid, vout: 0, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: Array.from({ length: N }, () => ({ value: each, script })),
    locktime: 0,
  };
  signP2wpkh(fan, 0, priv, pub, cb.tx.outputs[0].value);
  const fanTx = txDataFromTx(fan);
  chain.generateBlock(script, [fanTx]);
  const spends: TxData[] = [];
  for (let i = 0; i < N; i++) {
    const tx: Tx = {
      version: 2,
      inputs: [{ txid: fanTx.txid, vout: i, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
      outputs: [{ value: each - 200n, script }],
      locktime: 0,
    };
    signP2wpkh(tx, 0, priv, pub, each);
    spends.push(txDataFromTx(tx));
  }
  return { chain, block: chain.createBlock(script, spends) };
}

export async function run(): Promise<void> {
  const { chain, block } = prepare();
  const height = chain.height + 1;
  const ctx = { height, prevMtp: chain.tip.mtp, mtpAt: (h: number) => chain.entryAt(h)!.mtp, now: chain.now() };
  const raw = serializeBlock(block);

  // The machine is shared and noisy. Each round times N native verifications right next to
  // each validation run, so the pair sees the same load; the reported figures are the
  // medians of the per-round rates and the ratio the median of the per-round ratios.
  const n = nativeSecp();
  const vPriv = new Uint8Array(32).fill(7);
  const vPub = n.publicKeyCreate(vPriv, true);
  const vMsg = new Uint8Array(32).fill(9);
  const vSig = n.ecdsaSign(vMsg, vPriv).signature;
  const verifyN = (): number => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) n.ecdsaVerify(vSig, vMsg, vPub);
    return performance.now() - t0;
  };
  const full = (): void => {
    const b = parseBlock(raw);
    const bad = checkBlock(b) ?? contextualCheckBlock(b, ctx);
    if (bad) throw bad;
    const res = connectBlock(b, ctx, chain.utxo);
    disconnectBlock(b, res.undo, chain.utxo);
  };
  const timed = (fn: () => void): number => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const connectOnce = (noFastPath: boolean): number => {
    const t0 = performance.now();
    const res = connectBlock(block, ctx, chain.utxo, { noFastPath });
    const dt = performance.now() - t0;
    disconnectBlock(block, res.undo, chain.utxo);
    return dt;
  };
  connectOnce(false);
  connectOnce(true);
  full();
  verifyN();
  const rows: { floor: number; connect: number; interp: number; full: number }[] = [];
  const rounds = Number(process.env.BLOCK_BENCH_ROUNDS ?? 7);
  for (let r = 0; r < rounds; r++) {
    const v1 = verifyN();
    const c = connectOnce(false);
    const i = connectOnce(true);
    const f = timed(full);
    const v2 = verifyN();
    rows.push({ floor: (2 * N * 1000) / (v1 + v2), connect: (N * 1000) / c, interp: (N * 1000) / i, full: (N * 1000) / f });
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const floor = median(rows.map((r) => r.floor));
  const fig = (name: string, key: 'connect' | 'interp' | 'full', note?: string): void =>
    report({
      name,
      value: median(rows.map((r) => r[key])),
      unit: 'tx/s',
      baseline: 'libsecp256k1 native ECDSA verify/s',
      baseline_value: floor,
      ratio: median(rows.map((r) => r[key] / r.floor)),
      txs: N,
      rounds,
      ...(note ? { note } : {}),
    });
  fig('block_connect_p2wpkh_tx_per_s', 'connect');
  fig('block_connect_p2wpkh_interpreter_only_tx_per_s', 'interp', 'same block, every input through bitcoin/interpreter.ts verifyInput (no P2WPKH fast path)');
  fig('block_full_validation_p2wpkh_tx_per_s', 'full', 'parse raw block + CheckBlock + ContextualCheckBlock + ConnectBlock + DisconnectBlock');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
