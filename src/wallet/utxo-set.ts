/**
 * The wallet's view of its coins and of the transactions it built: which outputs are ours,
 * confirmed or not, spent (in the mempool or a block), reserved; applying transactions from
 * blocks and the mempool, undoing blocks on reorgs, forgetting transactions that lost a
 * conflict. Pure bookkeeping; the Wallet decides what to feed it.
 */
import { parseTx, serializeTx, txid as computeTxid, type Tx } from '../bitcoin/index.ts';
import { hashToHex, hexToHash, outpointKey } from '../chain/index.ts';
import { equalBytes, fromHex, sat, toHex, type Sat } from '../lib/index.ts';
import type { AddressType } from './keys.ts';

/** Coinbase outputs can be spent after 100 confirmations (consensus COINBASE_MATURITY). */
export const COINBASE_MATURITY = 100;
/** Blocks of confirmed spends kept for reorg handling before being forgotten. */
export const KEEP_SPENT_BLOCKS = 100;

/** Which wallet key an output script belongs to. */
export interface ScriptOwner {
  type: AddressType;
  change: 0 | 1;
  index: number;
}

/** A wallet output as tracked. */
export interface WalletUtxo extends ScriptOwner {
  txid: Uint8Array;
  vout: number;
  value: Sat;
  script: Uint8Array;
  /** Confirmation height, or null while unconfirmed. */
  height: number | null;
  coinbase: boolean;
  /** txid of an unconfirmed transaction spending it (ours or seen in the mempool). */
  spentBy: Uint8Array | null;
  /** Height of the block that spent it (kept for reorgs, then forgotten). */
  spentHeight: number | null;
  /** Reserved for a built but not yet broadcast transaction. */
  reservedFor: Uint8Array | null;
  reservedUntil: number | null;
}

/** A transaction the wallet built, remembered for RBF/CPFP. */
export interface OwnTx {
  txid: Uint8Array;
  tx: Tx;
  fee: Sat;
  /** Index of our change output, or null. */
  changeVout: number | null;
  /** Sent everything to one output: an RBF bump lowers that output instead of change. */
  sendAll: boolean;
  confirmedHeight: number | null;
  replacedBy: Uint8Array | null;
  broadcast: boolean;
}

/** WalletUtxoSet: see the file comment. */
export class WalletUtxoSet {
  readonly utxos = new Map<string, WalletUtxo>();
  readonly txs = new Map<string, OwnTx>();

  /**
   * applyTx records what `tx` does to us at `height` (null = mempool): inputs spending our
   * outputs, outputs paying scripts that `owner` recognises. A confirmed spend that
   * conflicts with an unconfirmed one drops the loser. Returns the owners of paid scripts.
   */
  applyTx(tx: Tx, height: number | null, coinbase: boolean, owner: (script: Uint8Array) => ScriptOwner | undefined): ScriptOwner[] {
    const id = computeTxid(tx);
    const idHex = hashToHex(id);
    if (!coinbase) {
      for (const inp of tx.inputs) {
        const u = this.utxos.get(outpointKey(inp));
        if (!u) continue;
        if (height !== null) {
          if (u.spentBy && !equalBytes(u.spentBy, id)) this.dropTx(hashToHex(u.spentBy)); // a conflict won
          u.spentHeight = height;
        }
        u.spentBy = id;
        u.reservedFor = null;
        u.reservedUntil = null;
      }
    }
    const paid: ScriptOwner[] = [];
    tx.outputs.forEach((out, vout) => {
      const who = owner(out.script);
      if (!who) return;
      paid.push(who);
      const have = this.utxos.get(outpointKey(id, vout));
      if (have) {
        if (height !== null) have.height = height;
        return;
      }
      this.utxos.set(outpointKey(id, vout), {
        type: who.type,
        change: who.change,
        index: who.index,
        txid: id,
        vout,
        value: sat(out.value),
        script: out.script,
        height,
        coinbase,
        spentBy: null,
        spentHeight: null,
        reservedFor: null,
        reservedUntil: null,
      });
    });
    const own = this.txs.get(idHex);
    if (own && height !== null) own.confirmedHeight = height;
    return paid;
  }

  /** afterBlock forgets spends buried KEEP_SPENT_BLOCKS deep and expires reservations. */
  afterBlock(height: number): void {
    for (const [k, u] of this.utxos) {
      if (u.spentHeight !== null && u.spentHeight <= height - KEEP_SPENT_BLOCKS) this.utxos.delete(k);
      if (u.reservedUntil !== null && u.reservedUntil < height) {
        u.reservedFor = null;
        u.reservedUntil = null;
      }
    }
  }

  /** undoHeight reverts a disconnected block: its outputs become unconfirmed (coinbase ones vanish). */
  undoHeight(height: number): void {
    for (const [k, u] of this.utxos) {
      if (u.height === height) {
        if (u.coinbase) this.utxos.delete(k);
        else u.height = null; // back to the mempool, most likely
      }
      if (u.spentHeight === height) u.spentHeight = null; // spentBy stays: spent-pending
    }
    for (const t of this.txs.values()) if (t.confirmedHeight === height) t.confirmedHeight = null;
  }

  /** forgetConfirmations is the deep-reorg fallback before a rescan: nothing is confirmed. */
  forgetConfirmations(): void {
    for (const [k, u] of this.utxos) {
      if (u.coinbase) this.utxos.delete(k);
      u.height = null;
      u.spentHeight = null;
    }
    for (const t of this.txs.values()) t.confirmedHeight = null;
  }

  /** dropTx forgets an unconfirmed transaction that lost (replaced or conflicted), and its descendants. */
  dropTx(idHex: string): void {
    const own = this.txs.get(idHex);
    if (own && own.confirmedHeight !== null) return;
    const children = new Set<string>();
    for (const [k, u] of this.utxos) {
      if (hashToHex(u.txid) === idHex && u.height === null) {
        if (u.spentBy) children.add(hashToHex(u.spentBy));
        this.utxos.delete(k);
      }
    }
    for (const u of this.utxos.values()) {
      if (u.spentBy && hashToHex(u.spentBy) === idHex && u.spentHeight === null) u.spentBy = null;
    }
    if (own) this.txs.delete(idHex);
    for (const c of children) if (c !== idHex) this.dropTx(c);
  }

  /** release clears the reservations made for a built transaction. */
  release(idHex: string): void {
    for (const u of this.utxos.values()) {
      if (u.reservedFor && hashToHex(u.reservedFor) === idHex) {
        u.reservedFor = null;
        u.reservedUntil = null;
      }
    }
  }

  /** confirmations of an output with our tip at `tipHeight`. */
  static confirmations(u: WalletUtxo, tipHeight: number): number {
    return u.height === null || tipHeight < 0 ? 0 : tipHeight - u.height + 1;
  }

  /** spendable lists coins that may be selected: unspent, unreserved, deep enough, mature. */
  spendable(minConf: number, tipHeight: number): WalletUtxo[] {
    return [...this.utxos.values()].filter((u) => {
      const c = WalletUtxoSet.confirmations(u, tipHeight);
      return u.spentBy === null && u.spentHeight === null && u.reservedFor === null && c >= minConf && (!u.coinbase || c >= COINBASE_MATURITY);
    });
  }

  /** balance sums spendable (confirmed, mature, unreserved), unconfirmed, and reserved funds. */
  balance(tipHeight: number): { confirmed: Sat; unconfirmed: Sat; reserved: Sat } {
    let confirmed = 0n;
    let unconfirmed = 0n;
    let reserved = 0n;
    for (const u of this.utxos.values()) {
      if (u.spentHeight !== null || u.spentBy) continue;
      if (u.reservedFor) reserved += u.value;
      else if (u.height === null) unconfirmed += u.value;
      else if (!u.coinbase || WalletUtxoSet.confirmations(u, tipHeight) >= COINBASE_MATURITY) confirmed += u.value;
    }
    return { confirmed: sat(confirmed), unconfirmed: sat(unconfirmed), reserved: sat(reserved) };
  }

  /** encode gives JSON-ready records (hex at the edge, bigints as strings). */
  encode(): { utxos: Record<string, unknown>[]; txs: Record<string, unknown>[] } {
    return {
      utxos: [...this.utxos.values()].map((u) => ({
        type: u.type,
        txid: hashToHex(u.txid),
        vout: u.vout,
        value: u.value.toString(),
        script: toHex(u.script),
        change: u.change,
        index: u.index,
        height: u.height,
        coinbase: u.coinbase,
        spentBy: u.spentBy && hashToHex(u.spentBy),
        spentHeight: u.spentHeight,
        reservedFor: u.reservedFor && hashToHex(u.reservedFor),
        reservedUntil: u.reservedUntil,
      })),
      txs: [...this.txs.values()].map((t) => ({
        txid: hashToHex(t.txid),
        hex: toHex(serializeTx(t.tx)),
        fee: t.fee.toString(),
        changeVout: t.changeVout,
        sendAll: t.sendAll,
        confirmedHeight: t.confirmedHeight,
        replacedBy: t.replacedBy && hashToHex(t.replacedBy),
        broadcast: t.broadcast,
      })),
    };
  }

  /** decode loads records written by encode. */
  decode(utxos: Record<string, unknown>[], txs: Record<string, unknown>[]): void {
    const opt = (v: unknown): Uint8Array | null => (typeof v === 'string' ? hexToHash(v) : null);
    for (const r of utxos) {
      const u: WalletUtxo = {
        type: r.type === 'p2tr' ? 'p2tr' : 'p2wpkh',
        txid: hexToHash(r.txid as string),
        vout: r.vout as number,
        value: sat(BigInt(r.value as string)),
        script: fromHex(r.script as string),
        change: r.change as 0 | 1,
        index: r.index as number,
        height: r.height as number | null,
        coinbase: r.coinbase as boolean,
        spentBy: opt(r.spentBy),
        spentHeight: r.spentHeight as number | null,
        reservedFor: opt(r.reservedFor),
        reservedUntil: r.reservedUntil as number | null,
      };
      this.utxos.set(outpointKey(u), u);
    }
    for (const r of txs) {
      const t: OwnTx = {
        txid: hexToHash(r.txid as string),
        tx: parseTx(fromHex(r.hex as string)),
        fee: sat(BigInt(r.fee as string)),
        changeVout: r.changeVout as number | null,
        sendAll: r.sendAll as boolean,
        confirmedHeight: r.confirmedHeight as number | null,
        replacedBy: opt(r.replacedBy),
        broadcast: r.broadcast as boolean,
      };
      this.txs.set(hashToHex(t.txid), t);
    }
  }
}
