/**
 * Benchmark harness. Every figure is printed as one JSON line with its baseline measured
 * in the same run, so results compare as ratios on noisy shared machines.
 */
import { createRequire } from 'node:module';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baseline_value: number;
  /** value / baseline_value unless the figure says otherwise (e.g. lower-is-better). */
  ratio?: number;
  [extra: string]: unknown;
}

/** report prints a figure as one JSON line. */
export function report(f: Figure): void {
  const ratio = f.ratio ?? (f.baseline_value === 0 ? 0 : f.value / f.baseline_value);
  const round = (x: number): number => (Math.abs(x) >= 100 ? Math.round(x * 10) / 10 : Math.round(x * 1000) / 1000);
  console.log(JSON.stringify({ ...f, value: round(f.value), baseline_value: round(f.baseline_value), ratio: round(ratio) }));
}

/**
 * opsPerSec runs fn repeatedly for about `ms` milliseconds (after a warm-up) and returns
 * calls per second. `batch` calls are made between clock reads.
 */
export function opsPerSec(fn: () => unknown, ms = 400, batch = 1): number {
  const warmEnd = performance.now() + Math.min(100, ms / 4);
  while (performance.now() < warmEnd) for (let i = 0; i < batch; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** asyncOpsPerSec is opsPerSec for async work, run sequentially. */
export async function asyncOpsPerSec(fn: () => Promise<unknown>, ms = 400): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export interface NativeSecpForBench {
  publicKeyCreate(k: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyTweakMul(p: Uint8Array, t: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyTweakAdd(p: Uint8Array, t: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaSign(m: Uint8Array, k: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(s: Uint8Array, m: Uint8Array, p: Uint8Array): boolean;
  ecdsaRecover(s: Uint8Array, recid: number, m: Uint8Array, compressed?: boolean): Uint8Array;
  ecdh(p: Uint8Array, k: Uint8Array): Uint8Array;
}

/**
 * nativeSecp loads libsecp256k1's native binding (the `secp256k1` package), the physical
 * floor that crypto-bound figures are compared with.
 */
export function nativeSecp(): NativeSecpForBench {
  const require = createRequire(import.meta.url);
  return require('secp256k1/bindings') as NativeSecpForBench;
}

/** nativeFloor measures libsecp256k1 native rates for the operations figures are built on. */
export function nativeFloor(ms = 300): { sign: number; verify: number; ecdh: number; recover: number; tweakMul: number; tweakAdd: number } {
  const n = nativeSecp();
  const priv = new Uint8Array(32).fill(7);
  const pub = n.publicKeyCreate(priv, true);
  const msg = new Uint8Array(32).fill(9);
  const { signature, recid } = n.ecdsaSign(msg, priv);
  const tweak = new Uint8Array(32).fill(3);
  return {
    sign: opsPerSec(() => n.ecdsaSign(msg, priv), ms, 16),
    verify: opsPerSec(() => n.ecdsaVerify(signature, msg, pub), ms, 16),
    ecdh: opsPerSec(() => n.ecdh(pub, priv), ms, 16),
    recover: opsPerSec(() => n.ecdsaRecover(signature, recid, msg, true), ms, 16),
    tweakMul: opsPerSec(() => n.publicKeyTweakMul(pub, tweak, true), ms, 16),
    tweakAdd: opsPerSec(() => n.publicKeyTweakAdd(pub, tweak, true), ms, 16),
  };
}
