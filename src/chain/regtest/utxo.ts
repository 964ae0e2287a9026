/**
 * The UTXO set: unspent outputs keyed by outpoint, with the data consensus needs to spend
 * them (value, script, creation height, coinbase flag).
 */
import { outpointKey } from './encoding.ts';

/** An unspent transaction output (Bitcoin Core's Coin). */
export interface Coin {
  value: bigint;
  script: Uint8Array;
  /** Height of the block that created it (tip height + 1 for mempool outputs). */
  height: number;
  coinbase: boolean;
}

/** UtxoSet is an in-memory map from outpoint to Coin. */
export class UtxoSet {
  private readonly map = new Map<string, Coin>();

  /** get returns the coin at an outpoint, if unspent. */
  get(txid: Uint8Array, vout: number): Coin | undefined {
    return this.map.get(outpointKey(txid, vout));
  }
  /** getByKey looks a coin up by a precomputed outpointKey. */
  getByKey(key: string): Coin | undefined {
    return this.map.get(key);
  }
  has(txid: Uint8Array, vout: number): boolean {
    return this.map.has(outpointKey(txid, vout));
  }
  /** add inserts a coin (overwriting, as Core's AddCoin with possible_overwrite for BIP30-exempt cases). */
  add(txid: Uint8Array, vout: number, coin: Coin): void {
    this.map.set(outpointKey(txid, vout), coin);
  }
  addByKey(key: string, coin: Coin): void {
    this.map.set(key, coin);
  }
  /** spend removes and returns a coin, or undefined if it was not there. */
  spend(txid: Uint8Array, vout: number): Coin | undefined {
    return this.spendByKey(outpointKey(txid, vout));
  }
  spendByKey(key: string): Coin | undefined {
    const c = this.map.get(key);
    if (c) this.map.delete(key);
    return c;
  }
  deleteByKey(key: string): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
  /** totalValue sums all unspent values (gettxoutsetinfo-style statistics, tests). */
  totalValue(): bigint {
    let s = 0n;
    for (const c of this.map.values()) s += c.value;
    return s;
  }
  /** keys lists the outpoint keys (for tests and statistics). */
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  /** entries lists [outpointKey, coin] pairs. */
  entries(): IterableIterator<[string, Coin]> {
    return this.map.entries();
  }
}
