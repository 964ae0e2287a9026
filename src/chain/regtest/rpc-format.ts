/**
 * JSON shapes of Bitcoin Core's RPC results (core_write.cpp TxToUniv/ScriptToUniv,
 * blockchain.cpp blockheaderToJSON/blockToJSON), so that any bitcoind client reads the
 * embedded chain unchanged. Amounts are BTC numbers, hashes display-order hex.
 */
import { toHex } from '../../lib/index.ts';
import { scriptToAddress } from '../../bitcoin/index.ts';
import { blockSizes } from './block.ts';
import type { BlockEntry, RegtestChain } from './chain.ts';
import { isCoinbase } from './consensus.ts';
import { inferDescriptor } from './descriptor.ts';
import { hashToHex as hashToHexString } from '../interfaces.ts';
import { difficulty } from './pow.ts';
import { classifyOutput, scriptToAsm } from './script-info.ts';
import type { TxData } from './tx-data.ts';
import type { Coin } from './utxo.ts';

/** btc converts satoshis to a BTC number (ValueFromAmount). */
export function btc(sat: bigint): number {
  return Number(sat) / 1e8;
}

/** scriptPubKeyJson is Core's ScriptToUniv with address and descriptor. */
export function scriptPubKeyJson(script: Uint8Array): Record<string, unknown> {
  const type = classifyOutput(script).type;
  const out: Record<string, unknown> = { asm: scriptToAsm(script), desc: inferDescriptor(script), hex: toHex(script) };
  const addr = type === 'nonstandard' || type === 'nulldata' || type === 'pubkey' || type === 'multisig' ? null : scriptToAddress(script, 'regtest');
  if (addr) out.address = addr;
  out.type = type;
  return out;
}

/** txJson is Core's TxToUniv: the decoded transaction (fee when known, hex when asked). */
export function txJson(t: TxData, opts: { hex?: boolean; fee?: bigint; prevouts?: (Coin | undefined)[] } = {}): Record<string, unknown> {
  const tx = t.tx;
  const coinbase = isCoinbase(tx);
  const vin = tx.inputs.map((inp, i) => {
    const o: Record<string, unknown> = {};
    if (coinbase) o.coinbase = toHex(inp.scriptSig);
    else {
      o.txid = hashToHexString(inp.txid);
      o.vout = inp.vout;
      o.scriptSig = { asm: scriptToAsm(inp.scriptSig, true), hex: toHex(inp.scriptSig) };
    }
    if (inp.witness.length > 0) o.txinwitness = inp.witness.map(toHex);
    const prev = opts.prevouts?.[i];
    if (prev) o.prevout = { generated: prev.coinbase, height: prev.height, value: btc(prev.value), scriptPubKey: scriptPubKeyJson(prev.script) };
    o.sequence = inp.sequence >>> 0;
    return o;
  });
  const vout = tx.outputs.map((o, n) => ({ value: btc(o.value), n, scriptPubKey: scriptPubKeyJson(o.script) }));
  const out: Record<string, unknown> = {
    txid: hashToHexString(t.txid),
    hash: hashToHexString(t.wtxid),
    version: tx.version | 0,
    size: t.totalSize,
    vsize: t.vsize,
    weight: t.weight,
    locktime: tx.locktime >>> 0,
    vin,
    vout,
  };
  if (opts.fee !== undefined) out.fee = btc(opts.fee);
  if (opts.hex) out.hex = toHex(t.raw);
  return out;
}

/** chainworkHex renders cumulative work as 64 hex digits. */
function chainworkHex(w: bigint): string {
  return w.toString(16).padStart(64, '0');
}

/** headerJson is Core's blockheaderToJSON. */
export function headerJson(chain: RegtestChain, e: BlockEntry): Record<string, unknown> {
  const h = e.block.header;
  const next = chain.isActive(e) ? chain.entryAt(e.height + 1) : undefined;
  const out: Record<string, unknown> = {
    hash: hashToHexString(e.hash),
    confirmations: chain.confirmations(e),
    height: e.height,
    version: h.version | 0,
    versionHex: (h.version >>> 0).toString(16).padStart(8, '0'),
    merkleroot: hashToHexString(h.merkleRoot),
    time: h.time,
    mediantime: e.mtp,
    nonce: h.nonce >>> 0,
    bits: (h.bits >>> 0).toString(16).padStart(8, '0'),
    difficulty: difficulty(h.bits),
    chainwork: chainworkHex(e.chainWork),
    nTx: e.block.txs.length,
  };
  if (e.prev) out.previousblockhash = hashToHexString(e.prev.hash);
  if (next) out.nextblockhash = hashToHexString(next.hash);
  return out;
}

/**
 * spentCoins returns, from a connected block's undo data, the coins spent by its
 * transaction at `index` (for `prevout` at verbosity 3 and fees).
 */
export function spentCoins(e: BlockEntry, index: number): Coin[] | undefined {
  if (!e.undo || index === 0) return undefined;
  let off = 0;
  for (let i = 1; i < index; i++) off += e.block.txs[i].tx.inputs.length;
  return e.undo.slice(off, off + e.block.txs[index].tx.inputs.length);
}

/** blockJson is Core's blockToJSON at verbosity 1 (txids), 2 (decoded transactions with fees) or 3 (and prevouts). */
export function blockJson(chain: RegtestChain, e: BlockEntry, verbosity: number): Record<string, unknown> {
  const sizes = blockSizes(e.block);
  const head = headerJson(chain, e);
  const { nTx, previousblockhash, nextblockhash, ...rest } = head;
  const out: Record<string, unknown> = { ...rest, nTx };
  if (previousblockhash) out.previousblockhash = previousblockhash;
  if (nextblockhash) out.nextblockhash = nextblockhash;
  out.strippedsize = sizes.strippedSize;
  out.size = sizes.size;
  out.weight = sizes.weight;
  out.tx =
    verbosity >= 2
      ? e.block.txs.map((t, i) => txJson(t, { hex: true, fee: i > 0 && e.fees ? e.fees[i - 1] : undefined, prevouts: verbosity >= 3 ? spentCoins(e, i) : undefined }))
      : e.block.txs.map((t) => hashToHexString(t.txid));
  return out;
}
