/**
 * The mempool's data structure: entries with their fees and in-mempool parent/child links,
 * indexes by wtxid and by spent outpoint, and ancestor/descendant walks. The acceptance
 * policy lives in mempool-accept.ts.
 */
import { outpointKey, txidKey } from './encoding.ts';
import type { TxData } from './tx-data.ts';
import type { Coin } from './utxo.ts';

/** One transaction in the mempool. */
export interface MempoolEntry {
  txd: TxData;
  key: string;
  fee: bigint;
  /** Virtual size used for feerates (sigop-adjusted, as Core's GetTxSize). */
  vsize: number;
  /** Entry time (clock seconds). */
  time: number;
  /** Chain height when the transaction entered. */
  height: number;
  sigopCost: number;
  /** Keys of in-mempool parents / children. */
  parents: Set<string>;
  children: Set<string>;
  /** Outpoint keys it spends. */
  spends: string[];
  /** Arrival order, to rebuild the pool in order after a reorg. */
  seq: number;
}

/** Mempool holds accepted transactions. */
export class Mempool {
  readonly entries = new Map<string, MempoolEntry>();
  private readonly byWtxid = new Map<string, string>();
  private readonly spentBy = new Map<string, string>();
  private nextSeq = 0;

  get size(): number {
    return this.entries.size;
  }
  /** get finds an entry by txid (internal order). */
  get(txid: Uint8Array): MempoolEntry | undefined {
    return this.entries.get(txidKey(txid));
  }
  hasWtxid(wtxid: Uint8Array): boolean {
    return this.byWtxid.has(txidKey(wtxid));
  }
  /** spender returns the entry spending an outpoint, if any. */
  spender(key: string): MempoolEntry | undefined {
    const k = this.spentBy.get(key);
    return k === undefined ? undefined : this.entries.get(k);
  }
  /** coin returns an output of a mempool transaction as a Coin (height = next block), unless spent in the pool. */
  coin(txid: Uint8Array, vout: number, nextHeight: number): Coin | undefined {
    const e = this.entries.get(txidKey(txid));
    if (!e || vout >= e.txd.tx.outputs.length) return undefined;
    const o = e.txd.tx.outputs[vout];
    return { value: o.value, script: o.script, height: nextHeight, coinbase: false };
  }

  /** add inserts an entry and links it with its in-mempool parents. */
  add(e: Omit<MempoolEntry, 'parents' | 'children' | 'spends' | 'seq' | 'key'> & { seq?: number }): MempoolEntry {
    const key = txidKey(e.txd.txid);
    const entry: MempoolEntry = { ...e, key, parents: new Set(), children: new Set(), spends: [], seq: e.seq ?? this.nextSeq++ };
    if (entry.seq >= this.nextSeq) this.nextSeq = entry.seq + 1;
    for (const inp of e.txd.tx.inputs) {
      const ok = outpointKey(inp.txid, inp.vout);
      entry.spends.push(ok);
      this.spentBy.set(ok, key);
      const pk = txidKey(inp.txid);
      const parent = this.entries.get(pk);
      if (parent) {
        entry.parents.add(pk);
        parent.children.add(key);
      }
    }
    this.entries.set(key, entry);
    this.byWtxid.set(txidKey(e.txd.wtxid), key);
    return entry;
  }

  /** remove deletes one entry (callers remove descendants first or together). */
  remove(key: string): MempoolEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.byWtxid.delete(txidKey(e.txd.wtxid));
    for (const s of e.spends) if (this.spentBy.get(s) === key) this.spentBy.delete(s);
    for (const p of e.parents) this.entries.get(p)?.children.delete(key);
    for (const c of e.children) this.entries.get(c)?.parents.delete(key);
    return e;
  }

  /** removeWithDescendants removes an entry and everything that spends it; returns them. */
  removeWithDescendants(key: string): MempoolEntry[] {
    const all = [key, ...this.descendants(key)];
    const out: MempoolEntry[] = [];
    for (const k of all) {
      const e = this.remove(k);
      if (e) out.push(e);
    }
    return out;
  }

  /** ancestors returns the keys of all in-mempool ancestors of an entry (not itself). */
  ancestors(key: string): Set<string> {
    return this.walk(key, (e) => e.parents);
  }
  /** descendants returns the keys of all in-mempool descendants of an entry (not itself). */
  descendants(key: string): Set<string> {
    return this.walk(key, (e) => e.children);
  }
  /** ancestorsOfParents returns the union of the given parents and their ancestors. */
  ancestorsOf(parents: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const p of parents) {
      if (!this.entries.has(p)) continue;
      out.add(p);
      for (const a of this.ancestors(p)) out.add(a);
    }
    return out;
  }
  private walk(key: string, next: (e: MempoolEntry) => Set<string>): Set<string> {
    const out = new Set<string>();
    const stack = [key];
    while (stack.length) {
      const e = this.entries.get(stack.pop()!);
      if (!e) continue;
      for (const k of next(e)) {
        if (!out.has(k)) {
          out.add(k);
          stack.push(k);
        }
      }
    }
    return out;
  }

  /** ordered returns entries so that parents come before children (arrival order is such an order). */
  ordered(): MempoolEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** clear empties the pool. */
  clear(): void {
    this.entries.clear();
    this.byWtxid.clear();
    this.spentBy.clear();
  }

  /** totalBytes sums vsizes (getmempoolinfo's "bytes"). */
  totalBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.vsize;
    return n;
  }
}
