/**
 * Kite's on-chain wallet (layer 4): BIP84 P2WPKH addresses, UTXO tracking from the chain
 * backend (blocks, mempool, reorgs), waste-minimising coin selection, funding transactions
 * (e.g. a channel funding output) returned signed without broadcasting, withdrawals, RBF fee
 * bumps of our own unconfirmed transactions, CPFP of unconfirmed parents, and UTXO
 * reservations while a transaction is pending.
 *
 * State lives in the injected WalletStore (one versioned JSON value). It is recoverable:
 * from the mnemonic and a birth height the UTXO set can always be rescanned.
 *
 * The wallet sees the chain through a ChainBackend (ChainSource + FeeEstimator + Broadcaster)
 * and either pulls with `sync()` or follows a ChainNotifier with `attach()`. It does no I/O
 * of its own.
 */
import { addressToScript, cloneTx, precomputeTxData, serializeTx, txVsize, txWeight, txid as computeTxid, type Tx, type TxOut } from '../bitcoin/index.ts';
import { taggedHash } from '../crypto/index.ts';
import type { Network } from '../bitcoin/index.ts';
import {
  CHAIN_ERRORS,
  FEERATE_FLOOR_SAT_PER_KW,
  hashToHex,
  hexToHash,
  outpointKey,
  type ChainBackend,
  type ChainBlock,
  type ChainEvent,
  type ChainNotifier,
  type OutPoint,
} from '../chain/index.ts';
import { KiteError, equalBytes, msat, sat, toHex, utf8, type Msat, type Sat } from '../lib/index.ts';
import { feeForWeight, selectCoins, type Candidate } from './coin-selection.ts';
import { WALLET_ERRORS } from './errors.ts';
import { WalletKeys, type AddressType, type DerivedKey } from './keys.ts';
import type { WalletStore } from './store.ts';
import { KEEP_SPENT_BLOCKS, WalletUtxoSet, type OwnTx, type WalletUtxo } from './utxo-set.ts';
import { P2WPKH_INPUT_WEIGHT, P2WPKH_OUTPUT_WEIGHT, TX_BASE_WEIGHT, bip69Sort, dustLimit, inputWeight, outputWeight, signInputs, signP2trKeyInput, signP2wpkhInput } from './tx-build.ts';

/** Addresses derived beyond the last used one, so payments to them are found (BIP44 gap limit). */
export const GAP_LIMIT = 20;
/** Blocks a reservation lasts if its transaction is never broadcast (Core Lightning uses 72). */
export const RESERVATION_BLOCKS = 72;
/** Highest feerate the wallet accepts (sat/kw): 1000 sat/vbyte, against fat-finger fees. */
export const MAX_FEERATE = 250_000;
/** BIP125 sequence: signals replaceability (nSequence < 0xfffffffe) and allows locktime. */
export const RBF_SEQUENCE = 0xfffffffd;
const STATE_KEY = 'wallet/state';

/** A recipient output. */
export interface Recipient {
  script: Uint8Array;
  value: Sat;
}

/** A signed transaction built by the wallet. */
export interface FundedTx {
  tx: Tx;
  txid: Uint8Array;
  fee: Sat;
  weight: number;
  /** Index in tx.outputs of each requested recipient, in request order. */
  outputIndexes: number[];
  changeVout: number | null;
  inputs: OutPoint[];
}

/** listfunds' output entries (Core Lightning's shape). */
export interface ListFundsOutput {
  txid: string;
  output: number;
  amount_msat: Msat;
  scriptpubkey: string;
  address: string;
  status: 'unconfirmed' | 'confirmed' | 'spent-pending';
  blockheight?: number;
  reserved: boolean;
  reserved_to_block?: number;
}

/** Feerate parameter: sat/kw as a number, or "<n>perkw", "<n>perkb", "urgent", "normal", "slow". */
export type FeerateParam = number | string;

/** Options of Wallet.open. */
export interface WalletOptions {
  /** 64-byte BIP39 seed. */
  seed: Uint8Array;
  network: Network;
  chain: ChainBackend;
  store: WalletStore;
  /**
   * Height to scan from when there is no stored state (a restored mnemonic). Default: the
   * current tip (a new wallet has no history).
   */
  birthHeight?: number;
  /** Look at the mempool in sync() for unconfirmed payments to us (default true). */
  scanMempool?: boolean;
}

interface StoredState {
  version: 1;
  birth?: number;
  receiveIndex: number;
  trReceiveIndex?: number;
  changeIndex: number;
  tip: { height: number; hash: string } | null;
  recent: [number, string][];
  utxos: Record<string, unknown>[];
  txs: Record<string, unknown>[];
}

const invalid = (msg: string): KiteError => new KiteError(WALLET_ERRORS.INVALID_PARAMS, msg);
const isRejection = (e: unknown): boolean => e instanceof KiteError && e.code === CHAIN_ERRORS.BROADCAST_REJECTED;
const inputsWeight = (us: { type: AddressType }[]): number => us.reduce((a, u) => a + inputWeight(u.type), 0);

/** Wallet: see the file comment. Create with `Wallet.open`. */
export class Wallet {
  readonly keys: WalletKeys;
  /** BIP86 keys for P2TR receive addresses (change is always P2WPKH). */
  readonly trKeys: WalletKeys;
  private receiveIndex = 0;
  private trReceiveIndex = 0;
  private changeIndex = 0;
  private tip: { height: number; hash: Uint8Array } | null = null;
  /** Recent block hashes (height → hash) for reorg detection in sync(). */
  private readonly recent = new Map<number, Uint8Array>();
  private readonly set = new WalletUtxoSet();
  /** scriptHex → derivation of every script we watch. */
  private readonly scripts = new Map<string, { type: AddressType; change: 0 | 1; index: number }>();
  private derived: [number, number, number] = [0, 0, 0];
  /** First height to scan when the wallet has no tip (new: the tip at creation; restored: birthHeight). */
  private birth = 0;
  private syncing: Promise<void> | null = null;
  private needsSync = false;

  private constructor(private readonly opts: WalletOptions) {
    this.keys = new WalletKeys(opts.seed, opts.network);
    this.trKeys = new WalletKeys(opts.seed, opts.network, 0, 'p2tr');
  }

  /** open loads the wallet's state from the store (or starts it) and syncs with the chain. */
  static async open(opts: WalletOptions): Promise<Wallet> {
    const w = new Wallet(opts);
    const raw = opts.store.get(STATE_KEY);
    if (raw) {
      w.load(JSON.parse(raw) as StoredState);
    } else {
      const tip = await opts.chain.getTip();
      const birth = Math.min(opts.birthHeight ?? tip.height + 1, tip.height + 1);
      w.birth = Math.max(0, birth);
      if (birth > 0) {
        const h = Math.min(birth - 1, tip.height);
        const hash = await opts.chain.getBlockHash(h);
        if (hash) w.setTip(h, hash);
      }
    }
    w.extendLookahead();
    await w.sync();
    return w;
  }

  // ---------- addresses ----------

  /**
   * newAddress hands out the next unused receive address (`newaddr`): BIP84 P2WPKH
   * (`bech32`, the default), BIP86 P2TR (`p2tr`), or one of each (`all`).
   */
  newAddress(): { bech32: string };
  newAddress(addresstype: 'bech32'): { bech32: string };
  newAddress(addresstype: 'p2tr'): { p2tr: string };
  newAddress(addresstype: 'all'): { bech32: string; p2tr: string };
  newAddress(addresstype: string): { bech32?: string; p2tr?: string };
  newAddress(addresstype: string = 'bech32'): { bech32?: string; p2tr?: string } {
    if (addresstype !== 'bech32' && addresstype !== 'p2tr' && addresstype !== 'all') {
      throw invalid(`addresstype: expected "bech32", "p2tr" or "all", got ${JSON.stringify(addresstype)}`);
    }
    const out: { bech32?: string; p2tr?: string } = {};
    if (addresstype !== 'p2tr') out.bech32 = this.keys.derive(0, this.receiveIndex++).address;
    if (addresstype !== 'bech32') out.p2tr = this.trKeys.derive(0, this.trReceiveIndex++).address;
    this.extendLookahead();
    this.save();
    return out;
  }

  private keyFor(u: { type: AddressType; change: 0 | 1; index: number }): DerivedKey {
    return (u.type === 'p2tr' ? this.trKeys : this.keys).derive(u.change, u.index);
  }

  private nextChangeKey(): DerivedKey {
    const k = this.keys.derive(1, this.changeIndex++);
    this.extendLookahead();
    return k;
  }

  /** extendLookahead derives GAP_LIMIT scripts past each chain's next index. */
  private extendLookahead(): void {
    const chains = [
      { keys: this.keys, type: 'p2wpkh', change: 0, next: this.receiveIndex },
      { keys: this.keys, type: 'p2wpkh', change: 1, next: this.changeIndex },
      { keys: this.trKeys, type: 'p2tr', change: 0, next: this.trReceiveIndex },
    ] as const;
    chains.forEach((c, n) => {
      for (let i = this.derived[n]; i < c.next + GAP_LIMIT; i++) {
        this.scripts.set(toHex(c.keys.derive(c.change, i).script), { type: c.type, change: c.change, index: i });
      }
      this.derived[n] = Math.max(this.derived[n], c.next + GAP_LIMIT);
    });
  }

  /** isMine tells whether an output script belongs to the wallet. */
  isMine(script: Uint8Array): boolean {
    return this.scripts.has(toHex(script));
  }

  // ---------- chain following ----------

  /** The height the wallet has processed. */
  get height(): number {
    return this.tip?.height ?? -1;
  }

  /**
   * sync catches up with the chain backend: undoes blocks no longer on the best chain,
   * applies new blocks, and (optionally) reads the mempool for unconfirmed payments.
   */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.needsSync = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.needsSync = false;
          await this.syncOnce();
        } while (this.needsSync);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const chain = this.opts.chain;
    for (let guard = 0; guard < 1000; guard++) {
      const tip = await chain.getTip();
      if (this.tip && this.tip.height === tip.height && equalBytes(this.tip.hash, tip.hash)) break;
      // Walk back while our tip is not on the best chain.
      while (this.tip) {
        const theirs = this.tip.height <= tip.height ? await chain.getBlockHash(this.tip.height) : null;
        if (theirs && equalBytes(theirs, this.tip.hash)) break;
        this.undoBlock(this.tip.height);
      }
      const from = this.tip ? this.tip.height + 1 : this.birth;
      let moved = false;
      for (let h = from; h <= tip.height; h++) {
        const hash = await chain.getBlockHash(h);
        const block = hash ? await chain.getBlock(hash) : null;
        if (!block || !this.applyBlock(block)) break;
        moved = true;
      }
      if (!moved && from <= tip.height) break;
    }
    await this.refreshUnconfirmed();
    if (this.opts.scanMempool !== false) {
      const now = new Set<string>();
      for (const id of await chain.getMempoolTxids()) {
        const key = hashToHex(id);
        now.add(key);
        if (this.seenMempool.has(key)) continue;
        const own = this.set.txs.get(key);
        if (own?.broadcast) continue;
        const found = await chain.getTransaction(id);
        if (found && found.confirmations === 0) this.applyMempoolTx(found.tx);
      }
      this.seenMempool = now;
    }
    this.save();
  }
  private seenMempool = new Set<string>();

  /** refreshUnconfirmed drops unconfirmed outputs whose transaction the backend no longer knows. */
  private async refreshUnconfirmed(): Promise<void> {
    const txids = new Set<string>();
    for (const u of this.set.utxos.values()) {
      if (u.height === null) txids.add(hashToHex(u.txid));
      if (u.spentBy && u.spentHeight === null) txids.add(hashToHex(u.spentBy));
    }
    for (const id of txids) {
      const own = this.set.txs.get(id);
      if (own && !own.broadcast) continue;
      const found = await this.opts.chain.getTransaction(hexToHash(id));
      if (!found) this.dropTx(id);
    }
  }

  /**
   * attach follows a ChainNotifier: connected blocks are applied, disconnected ones undone,
   * mempool transactions noted. Out-of-order events fall back to sync().
   */
  attach(notifier: ChainNotifier): () => void {
    return notifier.subscribe((ev) => this.onChainEvent(ev));
  }

  /** onChainEvent applies one ChainEvent (see attach). */
  onChainEvent(ev: ChainEvent): void {
    switch (ev.type) {
      case 'block_connected':
        if (this.tip && ev.block.height <= this.tip.height && equalBytes(this.recent.get(ev.block.height) ?? new Uint8Array(), ev.block.hash)) return;
        if (!this.applyBlock(ev.block)) this.needsSyncLater();
        else this.save();
        return;
      case 'block_disconnected':
        if (this.tip && this.tip.height === ev.height && equalBytes(this.tip.hash, ev.hash)) {
          this.undoBlock(ev.height);
          this.save();
        }
        return;
      case 'mempool_tx':
        this.applyMempoolTx(ev.tx);
        this.save();
        return;
      default:
        return;
    }
  }

  private needsSyncLater(): void {
    void this.sync().catch(() => undefined);
  }

  private setTip(height: number, hash: Uint8Array): void {
    this.tip = { height, hash };
    this.recent.set(height, hash);
    this.recent.delete(height - KEEP_SPENT_BLOCKS - 10);
  }

  /** applyBlock processes the next block; false if it does not extend our tip. */
  applyBlock(block: ChainBlock): boolean {
    if (this.tip ? block.height !== this.tip.height + 1 || !equalBytes(block.prevHash, this.tip.hash) : block.height !== this.birth) return false;
    block.txs.forEach((tx, i) => this.applyTx(tx, block.height, i === 0));
    this.setTip(block.height, block.hash);
    this.set.afterBlock(block.height);
    return true;
  }

  /** undoBlock reverts the effects of our tip block (a reorg). */
  private undoBlock(height: number): void {
    this.set.undoHeight(height);
    this.recent.delete(height);
    const prev = this.recent.get(height - 1);
    this.tip = prev ? { height: height - 1, hash: prev } : null;
    if (!prev && height > 0) {
      // Deeper than our memory: forget confirmations and rescan from the birth height;
      // sync() re-confirms what is still on chain and drops what the backend forgot.
      this.tip = null;
      this.set.forgetConfirmations();
    }
  }

  /** applyMempoolTx notes an unconfirmed transaction that pays or spends us. */
  applyMempoolTx(tx: Tx): void {
    this.applyTx(tx, null, false);
  }

  private applyTx(tx: Tx, height: number | null, coinbase: boolean): void {
    const paid = this.set.applyTx(tx, height, coinbase, (script) => this.scripts.get(toHex(script)));
    for (const who of paid) {
      if (who.type === 'p2tr') {
        if (who.index >= this.trReceiveIndex) this.trReceiveIndex = who.index + 1;
      } else if (who.change === 0 && who.index >= this.receiveIndex) this.receiveIndex = who.index + 1;
      else if (who.change === 1 && who.index >= this.changeIndex) this.changeIndex = who.index + 1;
    }
    if (paid.length > 0) this.extendLookahead();
  }

  private dropTx(idHex: string): void {
    this.set.dropTx(idHex);
  }

  private spendable(minConf: number): WalletUtxo[] {
    return this.set.spendable(minConf, this.height);
  }

  /** balance sums spendable (confirmed, mature, unreserved), unconfirmed, and reserved funds. */
  balance(): { confirmed: Sat; unconfirmed: Sat; reserved: Sat } {
    return this.set.balance(this.height);
  }

  // ---------- reporting ----------

  /** listFunds reports our outputs (`listfunds`); `channels` is filled by the node. */
  listFunds(): { outputs: ListFundsOutput[]; channels: never[] } {
    const outputs: ListFundsOutput[] = [];
    for (const u of this.set.utxos.values()) {
      if (u.spentHeight !== null) continue;
      const entry: ListFundsOutput = {
        txid: hashToHex(u.txid),
        output: u.vout,
        amount_msat: msat(u.value * 1000n),
        scriptpubkey: toHex(u.script),
        address: this.keyFor(u).address,
        status: u.spentBy ? 'spent-pending' : u.height === null ? 'unconfirmed' : 'confirmed',
        reserved: u.reservedFor !== null,
      };
      if (u.height !== null) entry.blockheight = u.height;
      if (u.reservedUntil !== null) entry.reserved_to_block = u.reservedUntil;
      outputs.push(entry);
    }
    outputs.sort((a, b) => (a.blockheight ?? Infinity) - (b.blockheight ?? Infinity) || a.txid.localeCompare(b.txid) || a.output - b.output);
    return { outputs, channels: [] };
  }

  /** utxo returns a tracked output (tests and the node's funding flow). */
  getUtxo(o: OutPoint): WalletUtxo | undefined {
    return this.set.utxos.get(outpointKey(o));
  }

  /** ownTx returns a transaction the wallet built. */
  getOwnTx(txid: Uint8Array): OwnTx | undefined {
    return this.set.txs.get(hashToHex(txid));
  }

  // ---------- spending ----------

  /**
   * resolveFeerate turns a feerate parameter into sat/kw: a number (sat/kw), "<n>perkw",
   * "<n>perkb" (sat per 1000 vbytes), or "urgent"/"normal"/"slow" (estimates for 2/6/12
   * blocks). Out-of-range values are a KiteError naming `feerate`.
   */
  async resolveFeerate(param?: FeerateParam): Promise<number> {
    let perKw: number;
    if (param === undefined || param === 'normal') perKw = await this.opts.chain.estimateFeerate(6);
    else if (param === 'urgent') perKw = await this.opts.chain.estimateFeerate(2);
    else if (param === 'slow') perKw = await this.opts.chain.estimateFeerate(12);
    else if (typeof param === 'number') perKw = param;
    else {
      const m = /^(\d+)(perkw|perkb)?$/.exec(String(param));
      if (!m) throw invalid(`feerate: expected a number (sat/kw), "<n>perkw", "<n>perkb", "urgent", "normal" or "slow", got ${JSON.stringify(param)}`);
      perKw = m[2] === 'perkb' ? Math.floor(Number(m[1]) / 4) : Number(m[1]);
    }
    if (!Number.isInteger(perKw) || perKw < FEERATE_FLOOR_SAT_PER_KW || perKw > MAX_FEERATE) {
      throw invalid(`feerate: must be an integer from ${FEERATE_FLOOR_SAT_PER_KW} to ${MAX_FEERATE} sat/kw, got ${JSON.stringify(param)}`);
    }
    return perKw;
  }

  private candidate(u: WalletUtxo): Candidate {
    return { id: outpointKey(u), value: u.value, weight: inputWeight(u.type) };
  }

  /**
   * fundTransaction builds and signs a transaction paying `recipients` at `feerate` (sat/kw),
   * with change to a new change address when worthwhile, and reserves its inputs. It does
   * not broadcast: call `broadcast(funded.tx)` (or `release(funded.txid)` to give up). This
   * is how the node builds a channel funding transaction.
   */
  fundTransaction(recipients: Recipient[], feerate: number, opts: { minConf?: number; sendAll?: boolean } = {}): FundedTx {
    if (recipients.length === 0) throw invalid('outputs: at least one output is required');
    const minConf = opts.minConf ?? 1;
    for (const [i, r] of recipients.entries()) {
      if (r.value <= 0n && !opts.sendAll) throw invalid(`outputs[${i}].amount: must be positive`);
      if (!opts.sendAll && r.value < dustLimit(r.script)) {
        throw new KiteError(WALLET_ERRORS.FUND_OUTPUT_IS_DUST, `amount: ${r.value} sat is below the dust limit of ${dustLimit(r.script)} sat for this output`);
      }
    }
    const recipientsWeight = recipients.reduce((a, r) => a + outputWeight(r.script), 0);
    const pool = this.spendable(minConf);
    let inputs: WalletUtxo[];
    let values: bigint[];
    let change: bigint;
    let fee: bigint;
    let changeKey: DerivedKey | null = null;
    if (opts.sendAll) {
      if (recipients.length !== 1) throw invalid('outputs: "all" needs exactly one output');
      inputs = pool;
      const weight = TX_BASE_WEIGHT + recipientsWeight + inputsWeight(inputs);
      fee = feeForWeight(weight, feerate);
      const total = inputs.reduce((a, u) => a + u.value, 0n);
      const amount = total - fee;
      if (inputs.length === 0 || amount <= 0n) throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, `amount: no spendable funds cover the fee (${fee} sat at ${feerate} sat/kw)`);
      if (amount < dustLimit(recipients[0].script)) {
        throw new KiteError(WALLET_ERRORS.FUND_OUTPUT_IS_DUST, `amount: after a fee of ${fee} sat only ${amount} sat is left, below the dust limit`);
      }
      values = [amount];
      change = 0n;
    } else {
      const target = recipients.reduce((a, r) => a + r.value, 0n);
      const sel = selectCoins(pool.map((u) => this.candidate(u)), {
        target,
        feerate,
        baseWeight: TX_BASE_WEIGHT + recipientsWeight,
        changeWeight: P2WPKH_OUTPUT_WEIGHT,
        changeSpendWeight: P2WPKH_INPUT_WEIGHT,
        minChange: dustLimit(new Uint8Array(22)),
      });
      if (!sel) {
        const have = pool.reduce((a, u) => a + u.value, 0n);
        throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, `amount: ${target} sat plus fees at ${feerate} sat/kw exceeds the spendable balance of ${have} sat`);
      }
      const chosen = new Set(sel.selected.map((c) => c.id));
      inputs = pool.filter((u) => chosen.has(outpointKey(u)));
      values = recipients.map((r) => r.value);
      change = sel.change;
      fee = sel.fee;
    }
    const outputs: TxOut[] = recipients.map((r, i) => ({ value: values[i], script: r.script }));
    if (change > 0n) {
      changeKey = this.nextChangeKey();
      outputs.push({ value: change, script: changeKey.script });
    }
    const funded = this.signAndReserve(inputs, outputs, recipients.length, changeKey, fee, opts.sendAll ?? false);
    this.save();
    return funded;
  }

  /** signAndReserve assembles (BIP69 order), signs and reserves a transaction. */
  private signAndReserve(inputs: WalletUtxo[], outputs: TxOut[], nRecipients: number, changeKey: DerivedKey | null, fee: bigint, sendAll: boolean): FundedTx {
    const tagged = outputs.map((o, i) => ({ o, i }));
    const tx: Tx = {
      version: 2,
      // Anti-fee-sniping, as Bitcoin Core: only valid in the block after our tip.
      locktime: Math.max(0, this.height),
      inputs: inputs.map((u) => ({ txid: u.txid, vout: u.vout, scriptSig: new Uint8Array(0), sequence: RBF_SEQUENCE, witness: [] })),
      outputs: tagged.map((t) => t.o),
    };
    bip69Sort(tx);
    const byKey = new Map(inputs.map((u) => [outpointKey(u), u]));
    signInputs(
      tx,
      tx.inputs.map((inp) => {
        const u = byKey.get(outpointKey(inp))!;
        const k = this.keyFor(u);
        return { type: u.type, prevout: { value: u.value, script: u.script }, signingKey: k.signingKey, publicKey: k.publicKey };
      }),
    );
    const outputIndexes = tagged.slice(0, nRecipients).map((t) => tx.outputs.indexOf(t.o));
    const changeVout = changeKey ? tx.outputs.findIndex((o) => equalBytes(o.script, changeKey.script)) : null;
    const id = computeTxid(tx);
    const until = this.height + RESERVATION_BLOCKS;
    for (const u of inputs) {
      u.reservedFor = id;
      u.reservedUntil = until;
    }
    this.set.txs.set(hashToHex(id), { txid: id, tx, fee: sat(fee), changeVout, sendAll, confirmedHeight: null, replacedBy: null, broadcast: false });
    return { tx, txid: id, fee: sat(fee), weight: txWeight(tx), outputIndexes, changeVout, inputs: tx.inputs.map((i) => ({ txid: i.txid, vout: i.vout })) };
  }

  /** release un-reserves the inputs of a built transaction that will not be broadcast. */
  release(txid: Uint8Array): void {
    const idHex = hashToHex(txid);
    this.set.release(idHex);
    const own = this.set.txs.get(idHex);
    if (own && !own.broadcast) this.set.txs.delete(idHex);
    this.save();
  }

  /**
   * broadcast publishes a transaction the wallet built and records its effects (inputs
   * spent-pending, change unconfirmed). On rejection the reservation is released.
   */
  async broadcast(tx: Tx): Promise<Uint8Array> {
    const id = computeTxid(tx);
    const own = this.set.txs.get(hashToHex(id));
    try {
      await this.opts.chain.broadcast(tx);
    } catch (e) {
      // Only a definite rejection frees the inputs; after a timeout the tx may be out there,
      // so the reservation stays (it expires after RESERVATION_BLOCKS).
      if (own && !own.broadcast && isRejection(e)) this.release(id);
      throw e;
    }
    if (own) own.broadcast = true;
    this.applyMempoolTx(tx);
    this.save();
    return id;
  }

  /**
   * withdraw sends `amount` (or everything, 'all') to an address (`withdraw`). Bad input
   * (address, amount, feerate) is a KiteError naming the field, with nothing reserved.
   */
  async withdraw(destination: string, amount: Sat | bigint | 'all', feerate?: FeerateParam): Promise<{ tx: string; txid: string; fee: Sat }> {
    let script: Uint8Array;
    try {
      if (typeof destination !== 'string' || destination.length === 0) throw new Error('empty');
      script = addressToScript(destination, this.opts.network);
    } catch (e) {
      throw invalid(`destination: not a valid ${this.opts.network} address (${(e as Error).message})`);
    }
    if (amount !== 'all' && (typeof amount !== 'bigint' || amount <= 0n)) {
      throw invalid(`satoshi: expected a positive amount in satoshis or "all", got ${String(amount)}`);
    }
    const rate = await this.resolveFeerate(feerate);
    const funded = this.fundTransaction([{ script, value: sat(amount === 'all' ? 0n : amount) }], rate, { sendAll: amount === 'all' });
    await this.broadcast(funded.tx);
    return { tx: toHex(serializeTx(funded.tx)), txid: hashToHex(funded.txid), fee: funded.fee };
  }

  /**
   * bumpFee replaces our unconfirmed transaction with one paying `feerate` (RBF). Same
   * recipients; the change shrinks (more inputs are added if needed), or for a send-all the
   * single output shrinks. BIP125 rule 4: "The replacement transaction must also pay for its
   * own bandwidth at or above the rate set by the node's minimum relay fee setting" — the
   * new fee is at least the old fee plus 1 sat/vbyte of the new size.
   */
  async bumpFee(txid: Uint8Array, feerate?: FeerateParam): Promise<FundedTx> {
    const old = this.set.txs.get(hashToHex(txid));
    if (!old || !old.broadcast) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, `txid: ${hashToHex(txid)} is not a transaction this wallet broadcast`);
    if (old.confirmedHeight !== null) throw new KiteError(WALLET_ERRORS.ALREADY_CONFIRMED, `txid: ${hashToHex(txid)} is already confirmed`);
    if (old.replacedBy) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, `txid: ${hashToHex(txid)} was already replaced by ${hashToHex(old.replacedBy)}`);
    const requested = await this.resolveFeerate(feerate);
    const oldWeight = txWeight(old.tx);
    const oldRate = Math.floor((Number(old.fee) * 1000) / oldWeight);
    if (requested <= oldRate) throw invalid(`feerate: must exceed the current ${oldRate} sat/kw to replace`);
    const originals = old.tx.inputs.map((i) => this.set.utxos.get(outpointKey(i)));
    if (originals.some((u) => !u)) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, 'txid: some inputs are no longer tracked');
    const inputs0 = originals as WalletUtxo[];
    const recipients = old.tx.outputs.filter((_, i) => i !== old.changeVout).map((o) => ({ script: o.script, value: sat(o.value) }));
    const recipientsWeight = recipients.reduce((a, r) => a + outputWeight(r.script), 0);
    const minFeeFor = (weight: number): bigint => old.fee + BigInt(Math.ceil(weight / 4)); // + 1 sat/vB incremental relay
    let rate = requested;
    for (let attempt = 0; attempt < 4; attempt++) {
      let funded: { inputs: WalletUtxo[]; outputs: TxOut[]; fee: bigint; changeKey: DerivedKey | null } | null = null;
      if (old.sendAll) {
        const weight = TX_BASE_WEIGHT + recipientsWeight + inputsWeight(inputs0);
        const fee = feeForWeight(weight, rate);
        const total = inputs0.reduce((a, u) => a + u.value, 0n);
        if (total - fee < dustLimit(recipients[0].script)) throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, 'feerate: too high, nothing would be left for the output');
        funded = { inputs: inputs0, outputs: [{ script: recipients[0].script, value: total - fee }], fee, changeKey: null };
      } else {
        const target = recipients.reduce((a, r) => a + r.value, 0n);
        const sel = selectCoins(this.spendable(1).map((u) => this.candidate(u)), {
          target,
          feerate: rate,
          baseWeight: TX_BASE_WEIGHT + recipientsWeight,
          changeWeight: P2WPKH_OUTPUT_WEIGHT,
          changeSpendWeight: P2WPKH_INPUT_WEIGHT,
          minChange: dustLimit(new Uint8Array(22)),
          required: inputs0.map((u) => this.candidate(u)),
        });
        if (!sel) throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, `feerate: not enough funds to pay ${rate} sat/kw`);
        const ids = new Set(sel.selected.map((c) => c.id));
        const extra = this.spendable(1).filter((u) => ids.has(outpointKey(u)));
        const changeKey = sel.change > 0n ? (old.changeVout !== null ? this.keyForScript(old.tx.outputs[old.changeVout].script) : this.nextChangeKey()) : null;
        const outputs = recipients.map((r) => ({ script: r.script, value: r.value as bigint }));
        if (changeKey) outputs.push({ script: changeKey.script, value: sel.change });
        funded = { inputs: [...inputs0, ...extra], outputs, fee: sel.fee, changeKey };
      }
      const weight = TX_BASE_WEIGHT + funded.outputs.reduce((a, o) => a + outputWeight(o.script), 0) + inputsWeight(funded.inputs);
      if (funded.fee < minFeeFor(weight)) {
        rate = Math.ceil((Number(minFeeFor(weight)) * 1000) / weight) + 1;
        continue;
      }
      // Free the original inputs for signing: they are spent by the tx we replace.
      for (const u of inputs0) u.spentBy = null;
      const built = this.signAndReserve(funded.inputs, funded.outputs, recipients.length, funded.changeKey, funded.fee, old.sendAll);
      try {
        await this.opts.chain.broadcast(built.tx);
      } catch (e) {
        if (isRejection(e)) {
          this.release(built.txid);
          for (const u of inputs0) u.spentBy = old.txid;
          this.save();
        }
        throw e;
      }
      this.dropTx(hashToHex(old.txid));
      old.replacedBy = built.txid;
      this.set.txs.get(hashToHex(built.txid))!.broadcast = true;
      this.applyMempoolTx(built.tx);
      this.save();
      return built;
    }
    throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, 'feerate: cannot meet the replacement fee rules');
  }

  private keyForScript(script: Uint8Array): DerivedKey {
    const who = this.scripts.get(toHex(script));
    if (!who) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, 'script is not ours');
    return this.keys.derive(who.change, who.index);
  }

  /**
   * cpfp spends our output(s) of an unconfirmed parent to a change address with a fee that
   * brings the package (parent + child) to `feerate` — child pays for parent. If the parent
   * is not in the backend's mempool (e.g. below the minimum relay fee) the pair is submitted
   * as a package.
   */
  async cpfp(parentTxid: Uint8Array, feerate?: FeerateParam): Promise<FundedTx> {
    const parentHex = hashToHex(parentTxid);
    const ours = [...this.set.utxos.values()].filter((u) => hashToHex(u.txid) === parentHex && u.spentBy === null && u.spentHeight === null && u.reservedFor === null);
    const chain = this.opts.chain;
    const lookup = await chain.getTransaction(parentTxid);
    const own = this.set.txs.get(parentHex);
    const parent = lookup?.tx ?? own?.tx;
    if (!parent) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, `txid: ${parentHex} is unknown`);
    if ((lookup && lookup.confirmations > 0) || own?.confirmedHeight != null) throw new KiteError(WALLET_ERRORS.ALREADY_CONFIRMED, `txid: ${parentHex} is already confirmed`);
    if (ours.length === 0) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, `txid: ${parentHex} has no unspent output of ours to spend`);
    const rate = await this.resolveFeerate(feerate);
    const parentFee = own ? own.fee : await this.feeOf(parent);
    const parentWeight = txWeight(parent);
    const inputs = [...ours];
    const extraPool = this.spendable(1).sort((a, b) => (a.value > b.value ? -1 : a.value < b.value ? 1 : 0));
    const changeKey = this.nextChangeKey();
    for (;;) {
      const childWeight = TX_BASE_WEIGHT + P2WPKH_OUTPUT_WEIGHT + inputsWeight(inputs);
      const packageFee = feeForWeight(parentWeight + childWeight, rate);
      const childFee = packageFee - parentFee > feeForWeight(childWeight, rate) ? packageFee - parentFee : feeForWeight(childWeight, rate);
      const total = inputs.reduce((a, u) => a + u.value, 0n);
      if (total - childFee >= dustLimit(changeKey.script)) {
        const built = this.signAndReserve(inputs, [{ script: changeKey.script, value: total - childFee }], 0, changeKey, childFee, false);
        try {
          if (lookup) await chain.broadcast(built.tx);
          else await chain.submitPackage([parent, built.tx]);
        } catch (e) {
          if (isRejection(e)) this.release(built.txid);
          throw e;
        }
        this.set.txs.get(hashToHex(built.txid))!.broadcast = true;
        if (!lookup) this.applyMempoolTx(parent);
        this.applyMempoolTx(built.tx);
        this.save();
        return built;
      }
      const next = extraPool.shift();
      if (!next) throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, `feerate: not enough funds to bring the package to ${rate} sat/kw`);
      inputs.push(next);
    }
  }

  /** feeOf computes a transaction's fee from its inputs' previous outputs. */
  private async feeOf(tx: Tx): Promise<Sat> {
    let inValue = 0n;
    for (const inp of tx.inputs) {
      const prev = await this.opts.chain.getTransaction(inp.txid);
      if (!prev || !prev.tx.outputs[inp.vout]) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, 'txid: cannot find the parent transaction\'s inputs to compute its fee');
      inValue += prev.tx.outputs[inp.vout].value;
    }
    return sat(inValue - tx.outputs.reduce((a, o) => a + o.value, 0n));
  }

  /** feerateOf reports a transaction's feerate in sat/kw given its fee. */
  static feerateOf(tx: Tx, fee: bigint): number {
    return Math.floor((Number(fee) * 1000) / txWeight(tx));
  }

  /** vsizeOf is the transaction's virtual size (BIP141). */
  static vsizeOf(tx: Tx): number {
    return txVsize(tx);
  }

  // ---------- fee inputs for transactions the wallet does not build ----------

  /**
   * selectFeeInputs picks wallet coins worth at least `amount` satoshis to pay the fee of a
   * transaction the wallet does not build — a zero-fee anchors HTLC-success/timeout
   * transaction, an anchor CPFP child — and reserves them, as fundTransaction reserves its
   * inputs, so no other funding spends them. The result has the shape of onchain's
   * `FeeInput` (pass it to `addHtlcTxFeeInputs` / `buildAnchorCpfp` as is).
   *
   * Coins need `minConf` confirmations (default 1) and coinbase maturity. With
   * `opts.feerate` (sat/kw) the coins must also pay for their own weight and for a P2WPKH
   * change output at that feerate, so `amount` can be the fee of the transaction without
   * them; without it they only cover `amount`. The selection is the wallet's (selectCoins)
   * weighted so that fewer, lighter inputs win. The reservation lasts `reserveBlocks` blocks
   * (default RESERVATION_BLOCKS; `reserveSeconds` is turned into blocks at 600 s each), is
   * cleared when a transaction spending the coins is seen, and by `releaseFeeInputs`.
   * `reserveFor` labels it (a reservation id derived from the label shows in listfunds).
   * Throws FUND_CANNOT_AFFORD (301) when the spendable coins fall short; nothing is reserved
   * then.
   */
  selectFeeInputs(amount: Sat | bigint, opts: FeeInputOptions = {}): WalletFeeInput[] {
    if (typeof amount !== 'bigint' || amount <= 0n) throw invalid(`amount: expected a positive amount in satoshis, got ${String(amount)}`);
    const minConf = opts.minConf ?? 1;
    if (!Number.isInteger(minConf) || minConf < 0) throw invalid(`minconf: expected a non-negative integer, got ${String(opts.minConf)}`);
    const feerate = opts.feerate ?? 0;
    if (!Number.isInteger(feerate) || feerate < 0 || feerate > MAX_FEERATE) throw invalid(`feerate: must be an integer from 0 to ${MAX_FEERATE} sat/kw, got ${String(opts.feerate)}`);
    let blocks = opts.reserveBlocks ?? RESERVATION_BLOCKS;
    if (opts.reserveBlocks === undefined && opts.reserveSeconds !== undefined) {
      if (!Number.isFinite(opts.reserveSeconds) || opts.reserveSeconds <= 0) throw invalid(`reserveSeconds: expected a positive number, got ${String(opts.reserveSeconds)}`);
      blocks = Math.ceil(opts.reserveSeconds / 600);
    }
    if (!Number.isInteger(blocks) || blocks <= 0) throw invalid(`reserveBlocks: expected a positive integer, got ${String(opts.reserveBlocks)}`);
    const pool = this.spendable(minConf);
    // A long-term feerate of 0 makes every input cost its fee as waste: the fewest, lightest
    // inputs win; the change output is the caller's, counted in the base weight.
    const sel = selectCoins(pool.map((u) => this.candidate(u)), {
      target: amount,
      feerate,
      longTermFeerate: 0,
      baseWeight: feerate > 0 ? P2WPKH_OUTPUT_WEIGHT : 0,
      changeWeight: 0,
      changeSpendWeight: 0,
      minChange: 0n,
    });
    if (!sel) {
      const have = pool.reduce((a, u) => a + u.value, 0n);
      const plus = feerate > 0 ? ` plus the inputs' fee at ${feerate} sat/kw` : '';
      throw new KiteError(WALLET_ERRORS.FUND_CANNOT_AFFORD, `amount: ${amount} sat${plus} exceeds the spendable balance of ${have} sat`);
    }
    const chosen = new Set(sel.selected.map((c) => c.id));
    const coins = pool.filter((u) => chosen.has(outpointKey(u)));
    const label = opts.reserveFor ?? coins.map((u) => outpointKey(u)).join(' ');
    const id = taggedHash('kite/wallet/fee-inputs', utf8(label));
    const until = this.height + blocks;
    for (const u of coins) {
      u.reservedFor = id;
      u.reservedUntil = until;
    }
    this.save();
    return coins.map((u) => ({ outpoint: { txid: u.txid.slice(), vout: u.vout }, value: u.value, witnessWeight: inputWeight(u.type) - INPUT_NON_WITNESS_WEIGHT }));
  }

  /**
   * releaseFeeInputs un-reserves coins handed out by selectFeeInputs (a transaction that will
   * not be broadcast, or is being rebuilt with other inputs). Outpoints that are not ours,
   * not reserved, or reserved for a transaction the wallet built itself are left alone.
   */
  releaseFeeInputs(inputs: readonly { outpoint: OutPoint }[]): void {
    for (const { outpoint } of inputs) {
      const u = this.set.utxos.get(outpointKey(outpoint));
      if (!u || u.reservedFor === null || this.set.txs.has(hashToHex(u.reservedFor))) continue;
      u.reservedFor = null;
      u.reservedUntil = null;
    }
    this.save();
  }

  /**
   * changeScript hands out a fresh change script (P2WPKH, the next `/1/i` key, as
   * fundTransaction's change) for the change output of a transaction with fee inputs. The
   * wallet recognises payments to it from then on.
   */
  changeScript(): Uint8Array {
    const k = this.nextChangeKey();
    this.save();
    return k.script.slice();
  }

  /**
   * signWalletInputs returns a copy of `tx` with every input that spends a wallet coin
   * signed with SIGHASH_ALL (P2WPKH: BIP143 ECDSA; P2TR key path: BIP341 SIGHASH_DEFAULT);
   * the other inputs' scriptSigs and witnesses are copied untouched. The signatures commit
   * to all inputs and outputs, so the transaction must be final apart from the other
   * inputs' witnesses (which may be added before or after).
   *
   * `prevouts` are the outputs every input spends, in input order: required when a wallet
   * input is P2TR (BIP341 signs all amounts and scripts), otherwise optional; when given,
   * the wallet's own entries must match its coins. Throws (nothing signed) when an input
   * marked as the wallet's — listed in `opts.inputs`, or whose prevout pays a wallet script —
   * is not a coin the wallet tracks, when a wallet coin is already spent in a block or
   * belongs to a transaction the wallet built, or when no input is the wallet's.
   */
  signWalletInputs(tx: Tx, prevouts?: readonly TxOut[], opts: { inputs?: readonly number[] } = {}): Tx {
    if (prevouts && prevouts.length !== tx.inputs.length) throw invalid(`prevouts: expected one per input (${tx.inputs.length}), got ${prevouts.length}`);
    const marked = new Set(opts.inputs ?? []);
    for (const i of marked) if (!Number.isInteger(i) || i < 0 || i >= tx.inputs.length) throw invalid(`inputs: ${String(i)} is not an input index`);
    const ours: { i: number; u: WalletUtxo }[] = [];
    tx.inputs.forEach((inp, i) => {
      const key = outpointKey(inp);
      const u = this.set.utxos.get(key);
      const prev = prevouts?.[i];
      if (!u) {
        if (marked.has(i) || (prev && this.isMine(prev.script))) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, `inputs[${i}]: ${key} is not a coin this wallet tracks`);
        return;
      }
      if (prev && (prev.value !== u.value || !equalBytes(prev.script, u.script))) throw invalid(`prevouts[${i}]: does not match the wallet's coin ${key}`);
      if (u.spentHeight !== null) throw invalid(`inputs[${i}]: ${key} was already spent in block ${u.spentHeight}`);
      const busy = [u.reservedFor, u.spentBy].find((t) => t !== null && this.set.txs.has(hashToHex(t)));
      if (busy) throw invalid(`inputs[${i}]: ${key} belongs to the wallet's transaction ${hashToHex(busy)}`);
      ours.push({ i, u });
    });
    if (ours.length === 0) throw new KiteError(WALLET_ERRORS.UNKNOWN_TX, 'inputs: no input spends a coin of this wallet');
    const all = prevouts ? prevouts.map((p) => ({ value: p.value, script: p.script })) : undefined;
    if (!all && ours.some((o) => o.u.type === 'p2tr')) throw invalid('prevouts: signing a P2TR input needs the output spent by every input (BIP341)');
    const out = cloneTx(tx);
    const cache = precomputeTxData(out, all);
    for (const { i, u } of ours) {
      const k = this.keyFor(u);
      if (u.type === 'p2tr') signP2trKeyInput(out, i, all!, k.signingKey);
      else signP2wpkhInput(out, i, { value: u.value, script: u.script }, k.signingKey, k.publicKey, cache);
    }
    return out;
  }

  // ---------- persistence ----------

  private save(): void {
    const state: StoredState = {
      version: 1,
      birth: this.birth,
      receiveIndex: this.receiveIndex,
      trReceiveIndex: this.trReceiveIndex,
      changeIndex: this.changeIndex,
      tip: this.tip ? { height: this.tip.height, hash: hashToHex(this.tip.hash) } : null,
      recent: [...this.recent].map(([h, b]) => [h, hashToHex(b)]),
      ...this.set.encode(),
    };
    this.opts.store.put(STATE_KEY, JSON.stringify(state));
  }

  private load(s: StoredState): void {
    if (s.version !== 1) throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, `wallet state version ${String(s.version)} is not supported`);
    this.birth = s.birth ?? 0;
    this.receiveIndex = s.receiveIndex;
    this.trReceiveIndex = s.trReceiveIndex ?? 0;
    this.changeIndex = s.changeIndex;
    for (const [h, b] of s.recent) this.recent.set(h, hexToHash(b));
    if (s.tip) this.tip = { height: s.tip.height, hash: hexToHash(s.tip.hash) };
    this.set.decode(s.utxos, s.txs);
  }
}

/** Weight of an input without its witness: outpoint 36, empty scriptSig 1, sequence 4 (× 4). */
const INPUT_NON_WITNESS_WEIGHT = (36 + 1 + 4) * 4;

/**
 * A wallet coin handed out by selectFeeInputs to pay the fee of a transaction the wallet does
 * not build. Structurally onchain's `FeeInput` (wallet and onchain are both layer 4, so
 * neither imports the other).
 */
export interface WalletFeeInput {
  outpoint: OutPoint;
  value: Sat;
  /** Witness weight of its spend: 108 for P2WPKH (a 72-byte signature with its sighash byte, 33-byte key), 66 for P2TR key path. */
  witnessWeight: number;
  /** Never set by the wallet: the builder chooses the nSequence. */
  sequence?: number;
}

/** Options of Wallet.selectFeeInputs. */
export interface FeeInputOptions {
  /** Confirmations each coin needs (default 1). */
  minConf?: number;
  /** A label for the reservation (e.g. the transaction or HTLC it pays for). */
  reserveFor?: string;
  /** Blocks the reservation lasts if nothing spends the coins (default RESERVATION_BLOCKS). */
  reserveBlocks?: number;
  /** The same in seconds, rounded up to blocks of 600 s (reserveBlocks wins if both are given). */
  reserveSeconds?: number;
  /** Feerate (sat/kw) at which the coins must also pay for their own inputs and a P2WPKH change output (default 0: cover `amount` only). */
  feerate?: number;
}
