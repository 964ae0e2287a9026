/**
 * RegtestChain: a complete, validating regtest blockchain in one process — block index with
 * side branches, most-work chain selection and reorganisations, UTXO set with undo data, a
 * transaction index (like bitcoind -txindex=1), a mempool with Bitcoin Core 30's relay
 * policy, on-demand mining, invalidateblock/reconsiderblock, mock time, and persistence.
 *
 * Time and storage are injected (clock, BlockStore) so tests are deterministic.
 */
import { concatBytes } from '../../lib/index.ts';
import type { Tx } from '../../bitcoin/index.ts';
import { blockMerkleRoot, blockSizes, commitmentScript, headerHash, parseBlock, serializeBlock, witnessCommitment, type Block } from './block.ts';
import { bip34HeightPush, checkBlock, connectBlock, contextualCheckBlock, disconnectBlock, POW_LIMIT, ValidationError, isCoinbase } from './consensus.ts';
import { outpointKey, txidKey } from './encoding.ts';
import { hashToHex as hashToHexString } from '../interfaces.ts';
import { acceptToMempool, type AcceptResult } from './mempool-accept.ts';
import { Mempool, type MempoolEntry } from './mempool.ts';
import { POLICY, REGTEST, blockSubsidy } from './params.ts';
import { blockWork, grindNonce } from './pow.ts';
import { regtestGenesisBlock } from './genesis.ts';
import { MemoryBlockStore, type BlockStore, type ChainMeta } from './store.ts';
import { txDataFromRaw, txDataFromTx, type TxData } from './tx-data.ts';
import { UtxoSet, type Coin } from './utxo.ts';
import { submitPackage, type PackageResult } from './package.ts';
import { estimateFee } from './fee-estimate.ts';

/** A block known to the chain, on the active chain or a side branch. */
export interface BlockEntry {
  hash: Uint8Array;
  block: Block;
  height: number;
  prev: BlockEntry | null;
  children: BlockEntry[];
  chainWork: bigint;
  /** Median time past of this block (median of its own and 10 previous timestamps). */
  mtp: number;
  /** Arrival order (ties in chain work go to the first seen). */
  seq: number;
  /** Failed validation, was invalidated, or descends from such a block. */
  invalid: boolean;
  /** Why it is invalid (its own failure), for RPC messages. */
  invalidReason?: string;
  /** Undo data and per-transaction fees, present while connected on the active chain (kept after). */
  undo?: Coin[];
  fees?: bigint[];
}

/** Options of a RegtestChain. */
export interface RegtestChainOptions {
  /** Clock in Unix seconds. Default: wall clock. */
  clock?: () => number;
  store?: BlockStore;
  /** Full replace-by-fee (Core 28 default true). */
  fullRbf?: boolean;
  permitBareMultisig?: boolean;
  /** The mempool's minimum feerate above the relay minimum (sat/kvB), as a full mempool in Core raises it; default none. */
  mempoolMinFeePerKvb?: bigint;
  /** -datacarriersize: OP_RETURN bytes allowed per transaction (default Core 30's 100 000). */
  maxDataCarrierBytes?: number;
  /** Feerate (BTC/kvB) estimatesmartfee reports when recent blocks hold no transactions; undefined = report "insufficient data". */
  fallbackFeeRate?: number;
}

/** Where a transaction was found. */
export interface TxLocation {
  txd: TxData;
  block?: BlockEntry;
  index?: number;
  mempool?: MempoolEntry;
}

const defaultClock = (): number => Math.floor(Date.now() / 1000);

/** RegtestChain is the embedded chain. */
export class RegtestChain {
  readonly utxo = new UtxoSet();
  readonly mempool = new Mempool();
  private readonly index = new Map<string, BlockEntry>();
  private readonly active: BlockEntry[] = [];
  /** txid → [block, position] for transactions on the active chain. */
  private readonly txIndex = new Map<string, { block: BlockEntry; index: number }>();
  private readonly store: BlockStore;
  private readonly clock: () => number;
  private mockTime = 0;
  private seq = 0;
  private meta: ChainMeta;
  private loading = false;
  /** Bytes of block data stored (getblockchaininfo's size_on_disk). */
  sizeOnDisk = 0;
  readonly startTime: number;
  readonly opts: RegtestChainOptions;
  /** Listeners told after each change of the active tip. */
  private readonly tipListeners = new Set<() => void>();

  constructor(opts: RegtestChainOptions = {}) {
    this.opts = opts;
    this.clock = opts.clock ?? defaultClock;
    this.store = opts.store ?? new MemoryBlockStore();
    this.startTime = this.clock();
    this.meta = this.store.loadMeta();
    const genesis = regtestGenesisBlock();
    const gh = headerHash(genesis.header);
    const g: BlockEntry = { hash: gh, block: genesis, height: 0, prev: null, children: [], chainWork: blockWork(genesis.header.bits), mtp: genesis.header.time, seq: this.seq++, invalid: false, undo: [], fees: [] };
    this.index.set(txidKey(gh), g);
    this.active.push(g);
    this.txIndex.set(txidKey(genesis.txs[0].txid), { block: g, index: 0 });
    this.replay();
  }

  /** replay rebuilds state from the store: every stored block is re-accepted and the best chain activated. */
  private replay(): void {
    const raws = this.store.loadBlocks();
    if (raws.length === 0) return;
    const invalidated = new Set(this.meta.invalidated);
    const failed = new Set(this.meta.failed);
    this.loading = true;
    try {
      for (const raw of raws) {
        let block: Block;
        try {
          block = parseBlock(raw);
        } catch {
          continue;
        }
        const e = this.addBlock(block, true);
        if (e instanceof ValidationError) continue;
        const hex = hashToHexString(e.hash);
        if (invalidated.has(hex) || failed.has(hex)) this.markInvalid(e, failed.has(hex) ? 'failed' : 'invalidated');
      }
      this.activateBestChain();
    } finally {
      this.loading = false;
    }
    for (const raw of this.store.loadMempool()) {
      try {
        const t = txDataFromRaw(raw);
        acceptToMempool(this.view(), this.mempool, t, { time: this.now(), fullRbf: this.fullRbf, bypassLimits: true });
      } catch {
        /* a saved transaction that no longer parses is dropped */
      }
    }
  }

  private get fullRbf(): boolean {
    return this.opts.fullRbf ?? true;
  }

  // ----- time -----

  /** now is the chain's clock: mock time if set, else the injected clock (seconds). */
  now(): number {
    return this.mockTime || this.clock();
  }
  /** setMockTime fixes the clock (setmocktime); 0 returns to the real clock. */
  setMockTime(t: number): void {
    this.mockTime = t;
  }
  getMockTime(): number {
    return this.mockTime;
  }

  /** mempoolMinFee is the feerate (sat/kvB) a transaction needs alone: the relay minimum or the mempool's own, if higher. */
  mempoolMinFee(): bigint {
    const own = this.opts.mempoolMinFeePerKvb ?? 0n;
    return own > POLICY.minRelayFeePerKvb ? own : POLICY.minRelayFeePerKvb;
  }
  /** setMempoolMinFee sets the mempool's own minimum feerate (sat/kvB; 0 = none), as a congested mempool would. */
  setMempoolMinFee(perKvb: bigint): void {
    this.opts.mempoolMinFeePerKvb = perKvb;
  }

  // ----- chain queries -----

  /** The active tip. */
  get tip(): BlockEntry {
    return this.active[this.active.length - 1];
  }
  get height(): number {
    return this.active.length - 1;
  }
  /** The best header height (blocks we know of, including side branches with valid ancestry). */
  get headerHeight(): number {
    let h = this.height;
    for (const e of this.index.values()) if (!e.invalid && e.height > h) h = e.height;
    return h;
  }
  /** entryByHash finds any known block. */
  entryByHash(hash: Uint8Array): BlockEntry | undefined {
    return this.index.get(txidKey(hash));
  }
  /** entryAt returns the active-chain block at a height. */
  entryAt(height: number): BlockEntry | undefined {
    return height >= 0 && height < this.active.length ? this.active[height] : undefined;
  }
  /** isActive: the block is on the active chain. */
  isActive(e: BlockEntry): boolean {
    return this.active[e.height] === e;
  }
  /** confirmations as getblockheader reports them: -1 off the active chain. */
  confirmations(e: BlockEntry): number {
    return this.isActive(e) ? this.height - e.height + 1 : -1;
  }
  /** allEntries lists every known block (getchaintips). */
  allEntries(): BlockEntry[] {
    return [...this.index.values()];
  }
  /** findTx looks a transaction up in the mempool and on the active chain. */
  findTx(txid: Uint8Array): TxLocation | undefined {
    const m = this.mempool.get(txid);
    if (m) return { txd: m.txd, mempool: m };
    const loc = this.txIndex.get(txidKey(txid));
    if (loc) return { txd: loc.block.block.txs[loc.index], block: loc.block, index: loc.index };
    return undefined;
  }
  /** coin returns an unspent confirmed output. */
  coin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.utxo.get(txid, vout);
  }
  /** onTip registers a listener called after the active tip changes; returns an unsubscribe function. */
  onTip(fn: () => void): () => void {
    this.tipListeners.add(fn);
    return () => this.tipListeners.delete(fn);
  }

  /** view is what mempool acceptance needs of the chain. */
  private view() {
    return {
      tipHeight: this.height,
      tipMtp: this.tip.mtp,
      mtpAt: (h: number) => this.active[Math.min(h, this.height)].mtp,
      utxo: this.utxo,
    };
  }

  // ----- blocks -----

  /**
   * submitBlock validates a block and, if it extends the most-work chain, connects it.
   * Returns null when the block was connected, "inconclusive" when it was stored on a side
   * branch, or Core's reject reason: "duplicate", "duplicate-invalid", or a consensus reason.
   */
  submitBlock(block: Block): string | null {
    const hash = headerHash(block.header);
    const known = this.index.get(txidKey(hash));
    if (known) return known.invalid ? 'duplicate-invalid' : 'duplicate';
    const e = this.addBlock(block, false);
    if (e instanceof ValidationError) return e.reason;
    this.activateBestChain();
    if (e.invalid) return e.invalidReason ?? 'invalid';
    // Core's submitblock says "inconclusive" for a valid block that was not connected (a side branch).
    return this.isActive(e) ? null : 'inconclusive';
  }

  /** addBlock runs the header and block checks and files the block in the index (without connecting). */
  private addBlock(block: Block, fromDisk: boolean): BlockEntry | ValidationError {
    const hash = headerHash(block.header);
    const key = txidKey(hash);
    const known = this.index.get(key);
    if (known) return known;
    const prev = this.index.get(txidKey(block.header.prevHash));
    if (!prev) return new ValidationError('prev-blk-not-found');
    if (prev.invalid) return new ValidationError('bad-prevblk');
    const bad = checkBlock(block, hash);
    if (bad) return bad;
    const height = prev.height + 1;
    const ctx = { height, prevMtp: prev.mtp, mtpAt: () => 0, now: fromDisk ? Number.MAX_SAFE_INTEGER : this.now() };
    const bad2 = contextualCheckBlock(block, ctx);
    if (bad2) return bad2;
    const e: BlockEntry = {
      hash,
      block,
      height,
      prev,
      children: [],
      chainWork: prev.chainWork + blockWork(block.header.bits),
      mtp: medianTimePast(prev, block.header.time),
      seq: this.seq++,
      invalid: false,
    };
    prev.children.push(e);
    this.index.set(key, e);
    this.sizeOnDisk += blockSizes(block).size + 4;
    if (!fromDisk) this.store.appendBlock(serializeBlock(block));
    return e;
  }

  private markInvalid(e: BlockEntry, reason: string): void {
    e.invalid = true;
    e.invalidReason = reason;
    const stack = [...e.children];
    while (stack.length) {
      const c = stack.pop()!;
      if (!c.invalid) {
        c.invalid = true;
        c.invalidReason = 'bad-prevblk';
      }
      stack.push(...c.children);
    }
  }

  private findBest(): BlockEntry {
    let best = this.tip;
    for (const e of this.index.values()) {
      if (e.invalid) continue;
      if (e.chainWork > best.chainWork || (e.chainWork === best.chainWork && e.seq < best.seq && best !== this.tip)) best = e;
    }
    return best;
  }

  private connectTip(e: BlockEntry): void {
    const ctx = { height: e.height, prevMtp: e.prev!.mtp, mtpAt: (h: number) => this.active[h].mtp, now: Number.MAX_SAFE_INTEGER };
    const r = connectBlock(e.block, ctx, this.utxo);
    e.undo = r.undo;
    e.fees = r.fees;
    this.active.push(e);
    e.block.txs.forEach((t, i) => this.txIndex.set(txidKey(t.txid), { block: e, index: i }));
  }

  private disconnectTip(): BlockEntry {
    const e = this.active.pop()!;
    disconnectBlock(e.block, e.undo!, this.utxo);
    for (const t of e.block.txs) {
      const k = txidKey(t.txid);
      if (this.txIndex.get(k)?.block === e) this.txIndex.delete(k);
    }
    return e;
  }

  /**
   * activateBestChain switches to the most-work valid chain (Core's ActivateBestChain):
   * disconnect to the fork point, connect the new branch block by block; a block that fails
   * is marked invalid (with its descendants) and the search repeats. The mempool follows:
   * confirmed and conflicting transactions leave it; after a reorg, transactions of
   * disconnected blocks return to it and every entry is re-checked.
   */
  private activateBestChain(alreadyDisconnected: BlockEntry[] = []): void {
    const oldTip = this.tip;
    const disconnected: BlockEntry[] = [...alreadyDisconnected];
    const connected: BlockEntry[] = [];
    for (;;) {
      const best = this.findBest();
      if (best === this.tip) break;
      const path: BlockEntry[] = [];
      let fork: BlockEntry = best;
      while (!this.isActive(fork)) {
        path.push(fork);
        fork = fork.prev!;
      }
      while (this.tip !== fork) disconnected.push(this.disconnectTip());
      path.reverse();
      for (const e of path) {
        try {
          this.connectTip(e);
          connected.push(e);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          this.markInvalid(e, err.reason);
          if (!this.loading) {
            this.meta.failed.push(hashToHexString(e.hash));
            this.store.saveMeta(this.meta);
          }
          break;
        }
      }
    }
    if (this.tip === oldTip && disconnected.length === 0) return;
    if (!this.loading) this.updateMempool(disconnected, connected);
    for (const fn of this.tipListeners) fn();
  }

  private updateMempool(disconnected: BlockEntry[], connected: BlockEntry[]): void {
    const reallyDisconnected = disconnected.filter((e) => !this.isActive(e));
    if (reallyDisconnected.length === 0) {
      for (const e of connected) {
        for (const t of e.block.txs) this.mempool.remove(txidKey(t.txid));
        for (const t of e.block.txs) {
          for (const inp of t.tx.inputs) {
            const s = this.mempool.spender(outpointKey(inp.txid, inp.vout));
            if (s) this.mempool.removeWithDescendants(s.key);
          }
        }
      }
      return;
    }
    // Reorg: disconnected transactions first (oldest block first), then the old pool, all re-checked.
    const old = this.mempool.ordered();
    this.mempool.clear();
    const candidates: { txd: TxData; time: number }[] = [];
    for (const e of [...reallyDisconnected].reverse()) {
      for (const t of e.block.txs) if (!isCoinbase(t.tx)) candidates.push({ txd: t, time: this.now() });
    }
    for (const m of old) candidates.push({ txd: m.txd, time: m.time });
    for (const c of candidates) {
      if (this.txIndex.has(txidKey(c.txd.txid))) continue;
      acceptToMempool(this.view(), this.mempool, c.txd, { time: c.time, fullRbf: this.fullRbf, bypassLimits: true, permitBareMultisig: this.opts.permitBareMultisig });
    }
  }

  /** invalidateBlock marks a block and its descendants invalid and reorganises away from them (invalidateblock). */
  invalidateBlock(hash: Uint8Array): boolean {
    const e = this.entryByHash(hash);
    if (!e) return false;
    if (e.height === 0) throw new ValidationError('genesis-invalidate', 'cannot invalidate the genesis block');
    const disconnected: BlockEntry[] = [];
    if (this.isActive(e)) {
      while (this.tip !== e.prev) disconnected.push(this.disconnectTip());
    }
    this.markInvalid(e, 'invalidated');
    const hex = hashToHexString(e.hash);
    if (!this.meta.invalidated.includes(hex)) this.meta.invalidated.push(hex);
    this.store.saveMeta(this.meta);
    this.activateBestChain(disconnected);
    return true;
  }

  /** reconsiderBlock clears invalidity of a block, its ancestors and descendants, then activates the best chain (reconsiderblock). */
  reconsiderBlock(hash: Uint8Array): boolean {
    const e = this.entryByHash(hash);
    if (!e) return false;
    const cleared = new Set<string>();
    const clear = (x: BlockEntry): void => {
      x.invalid = false;
      x.invalidReason = undefined;
      cleared.add(hashToHexString(x.hash));
    };
    const stack = [e];
    while (stack.length) {
      const x = stack.pop()!;
      clear(x);
      stack.push(...x.children);
    }
    for (let p = e.prev; p; p = p.prev) if (p.invalid) clear(p);
    this.meta.invalidated = this.meta.invalidated.filter((h) => !cleared.has(h));
    this.meta.failed = this.meta.failed.filter((h) => !cleared.has(h));
    this.store.saveMeta(this.meta);
    this.activateBestChain();
    return true;
  }

  // ----- mining -----

  /**
   * createBlock assembles and solves a block on the tip paying `script`: a BIP34 coinbase
   * with the subsidy plus fees and a BIP141 witness commitment, and `txs` (default: the
   * mempool in arrival order, as much as fits in the weight limit).
   */
  createBlock(script: Uint8Array, txs?: TxData[], opts: { time?: number } = {}): Block {
    const height = this.height + 1;
    let chosen: TxData[];
    let fees = 0n;
    if (txs) {
      chosen = txs;
      fees = -1n; // computed below from the UTXO set and mempool
    } else {
      chosen = [];
      let weight = 4000;
      const skipped = new Set<string>();
      for (const m of this.mempool.ordered()) {
        if ([...m.parents].some((p) => skipped.has(p)) || weight + m.txd.weight > 4_000_000 - 4000) {
          skipped.add(m.key);
          continue;
        }
        chosen.push(m.txd);
        weight += m.txd.weight;
        fees += m.fee;
      }
    }
    if (fees < 0n) fees = this.feesOf(chosen);
    const reserved = new Uint8Array(32);
    const coinbase: Tx = {
      version: 2,
      inputs: [{ txid: new Uint8Array(32), vout: 0xffffffff, scriptSig: concatBytes(bip34HeightPush(height), scriptNumBytes(this.seq)), sequence: 0xffffffff, witness: [reserved] }],
      outputs: [
        { value: blockSubsidy(height) + fees, script },
        { value: 0n, script: new Uint8Array(38) },
      ],
      locktime: 0,
    };
    const all = [txDataFromTx(coinbase), ...chosen];
    coinbase.outputs[1].script = commitmentScript(witnessCommitment(all, reserved));
    all[0] = txDataFromTx(coinbase);
    const time = opts.time ?? Math.max(this.tip.mtp + 1, this.now());
    const header = { version: 0x20000000, prevHash: this.tip.hash, merkleRoot: blockMerkleRoot(all).root, time, bits: REGTEST.powLimitBits, nonce: 0 };
    return { header: grindNonce(header, POW_LIMIT).header, txs: all };
  }

  private feesOf(txs: TxData[]): bigint {
    const created = new Map<string, bigint>();
    let fees = 0n;
    for (const t of txs) {
      let inSum = 0n;
      for (const inp of t.tx.inputs) {
        const k = outpointKey(inp.txid, inp.vout);
        const v = created.get(k) ?? this.utxo.getByKey(k)?.value;
        if (v === undefined) return 0n; // invalid anyway; validation will say why
        inSum += v;
      }
      let outSum = 0n;
      t.tx.outputs.forEach((o, i) => {
        outSum += o.value;
        created.set(outpointKey(t.txid, i), o.value);
      });
      fees += inSum - outSum;
    }
    return fees > 0n ? fees : 0n;
  }

  /** generate mines `n` blocks to `script` from the mempool (generatetoaddress); returns their hashes. */
  generate(n: number, script: Uint8Array): Uint8Array[] {
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const b = this.createBlock(script);
      const r = this.submitBlock(b);
      if (r !== null) throw new ValidationError(r, 'mined block rejected');
      hashes.push(headerHash(b.header));
    }
    return hashes;
  }

  /**
   * generateBlock mines exactly `txs` (generateblock). With submit=false the block is only
   * checked, not added. Throws ValidationError (Core: "TestBlockValidity failed: …").
   */
  generateBlock(script: Uint8Array, txs: TxData[], submit = true): Block {
    const b = this.createBlock(script, txs);
    if (!submit) {
      this.testBlockValidity(b);
      return b;
    }
    this.testBlockValidity(b);
    const r = this.submitBlock(b);
    if (r !== null) throw new ValidationError(r);
    return b;
  }

  /** testBlockValidity checks a block on the tip without keeping any change. */
  testBlockValidity(b: Block): void {
    const bad = checkBlock(b) ?? contextualCheckBlock(b, { height: this.height + 1, prevMtp: this.tip.mtp, mtpAt: () => 0, now: this.now() });
    if (bad) throw bad;
    const r = connectBlock(b, { height: this.height + 1, prevMtp: this.tip.mtp, mtpAt: (h) => this.active[h].mtp, now: this.now() }, this.utxo);
    disconnectBlock(b, r.undo, this.utxo);
  }

  // ----- transactions -----

  /** acceptTx offers a transaction to the mempool (sendrawtransaction / testmempoolaccept). */
  acceptTx(t: TxData, opts: { testOnly?: boolean; maxFeeRatePerKvb?: bigint; skipFeeCheck?: boolean } = {}): AcceptResult {
    return acceptToMempool(this.view(), this.mempool, t, {
      time: this.now(),
      fullRbf: this.fullRbf,
      permitBareMultisig: this.opts.permitBareMultisig,
      maxDataCarrierBytes: this.opts.maxDataCarrierBytes,
      mempoolMinFeePerKvb: this.opts.mempoolMinFeePerKvb,
      testOnly: opts.testOnly,
      maxFeeRatePerKvb: opts.maxFeeRatePerKvb,
      skipFeeCheck: opts.skipFeeCheck,
    });
  }

  /**
   * submitPackage accepts a child with its unconfirmed parents (Core 28's submitpackage);
   * see package.ts.
   */
  submitPackage(txs: TxData[], opts: { maxFeeRatePerKvb?: bigint; testOnly?: boolean } = {}): PackageResult {
    return submitPackage(this, txs, opts);
  }

  /** estimateFee derives a feerate (sat/kvB) for `target` blocks from recent blocks; see fee-estimate.ts. */
  estimateFee(target: number): bigint | null {
    return estimateFee(this, target);
  }

  /** close saves the mempool and releases the store. */
  close(): void {
    this.store.saveMempool(this.mempool.ordered().map((e) => e.txd.raw));
    this.store.close();
  }

  /** hashHex renders a block hash for messages. */
  static hashHex(h: Uint8Array): string {
    return hashToHexString(h);
  }
}

/** medianTimePast of a new block: the median of its time and the 10 before it (BIP113). */
function medianTimePast(prev: BlockEntry, time: number): number {
  const times = [time];
  for (let p: BlockEntry | null = prev; p && times.length < 11; p = p.prev) times.push(p.block.header.time);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** scriptNumBytes pushes a small number (the coinbase extra nonce) as a script push. */
function scriptNumBytes(n: number): Uint8Array {
  if (n === 0) return Uint8Array.of(0x00);
  if (n <= 16) return Uint8Array.of(0x50 + n);
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}

