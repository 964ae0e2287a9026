/**
 * bench/invoice: BOLT 11 invoices decoded and signature-checked per second (bech32, fields,
 * SHA256 and public-key recovery), against one libsecp256k1 native ECDSA public-key recovery
 * measured in the same run (the floor: a decode can never beat the recovery inside it).
 * Target ratio >= 0.7. A second figure covers a 900-character invoice with three route hint
 * hops, a fallback and metadata. Ratios are medians of adjacent-round ratios (noisy machines).
 */
import { readFileSync } from 'node:fs';
import { nativeSecp, opsPerSec, report } from './harness.ts';
import { decodeInvoice, createInvoice } from '../src/invoice/index.ts';
import { fromHex, msat, type NodeId, type ShortChannelId } from '../src/lib/index.ts';

/**
 * interleaved measures `fn` and one native recovery in alternating short rounds, so that load
 * from other processes on a shared machine hits both alike. It returns the median rates and
 * the median of the per-round ratios (each ratio compares two adjacent measurements).
 */
function interleaved(fn: () => unknown, rounds = 9, ms = 200): { value: number; floor: number; ratio: number } {
  const n = nativeSecp();
  const priv = new Uint8Array(32).fill(7);
  const msg = new Uint8Array(32).fill(9);
  const { signature, recid } = n.ecdsaSign(msg, priv);
  const values: number[] = [];
  const floors: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const f = opsPerSec(() => n.ecdsaRecover(signature, recid, msg, true), ms, 8);
    const v = opsPerSec(fn, ms, 8);
    floors.push(f);
    values.push(v);
    ratios.push(v / f);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { value: median(values), floor: median(floors), ratio: median(ratios) };
}

export async function run(): Promise<void> {
  // A typical invoice: amount, description, expiry, c, features (as wallets produce them).
  const secret = fromHex('e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734');
  const typical = createInvoice({
    network: 'bitcoin',
    amountMsat: msat(250_000_000n),
    paymentHash: new Uint8Array(32).fill(1),
    paymentSecret: new Uint8Array(32).fill(0x11),
    description: '1 cup coffee',
    expirySeconds: 60,
    timestamp: 1_496_314_658,
    nodeSecret: secret,
  }).bolt11;
  const t = interleaved(() => decodeInvoice(typical));
  report({ name: 'invoice.decode_verify', value: t.value, unit: 'invoices/s', baseline: 'libsecp256k1 native ecdsa recover', baseline_value: t.floor, ratio: t.ratio, chars: typical.length });

  const hop = { pubkey: fromHex('029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255') as NodeId, shortChannelId: 0x0102030405060708n as ShortChannelId, feeBaseMsat: msat(1), feeProportionalMillionths: 20, cltvExpiryDelta: 40 };
  const rich = createInvoice({
    network: 'bitcoin',
    amountMsat: msat(967_878_534n),
    paymentHash: new Uint8Array(32).fill(2),
    paymentSecret: new Uint8Array(32).fill(0x11),
    description: readFileSync(new URL('../package.json', import.meta.url), 'utf8').slice(0, 200),
    routeHints: [[hop, hop], [hop]],
    fallbacks: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    metadata: new Uint8Array(16).fill(7),
    timestamp: 1_572_468_703,
    nodeSecret: secret,
  }).bolt11;
  const r = interleaved(() => decodeInvoice(rich));
  report({ name: 'invoice.decode_verify_route_hints', value: r.value, unit: 'invoices/s', baseline: 'libsecp256k1 native ecdsa recover', baseline_value: r.floor, ratio: r.ratio, chars: rich.length });
}
