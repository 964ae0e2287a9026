/**
 * BlockWatcher: a polling ChainNotifier over any ChainSource. Each `poll()` walks from the
 * last block it saw to the backend's tip, detects reorganisations by comparing the hashes it
 * stored with the backend's, emits block_disconnected/block_connected in chain order, and
 * matches every connected block (and, where asked, the mempool) against the registered
 * watches: confirmations of a txid or of an output script at a depth, and spends of
 * outpoints.
 *
 * It performs no timers or sockets itself: whoever owns the clock calls `poll()` (see
 * `startPolling` in chain/bitcoind). Polls are serialised; a poll asked for while one runs
 * waits for it and then runs once more.
 */
import type { Tx } from '../bitcoin/index.ts';
import { txid as computeTxid } from '../bitcoin/index.ts';
import { KiteError, equalBytes, fromHex, toHex } from '../lib/index.ts';
import type {
  ChainBlock,
  ChainEvent,
  ChainListener,
  ChainNotifier,
  ChainSource,
  ChainTip,
  OutPoint,
  WatchId,
} from './interfaces.ts';
import { CHAIN_ERRORS, outpointKey } from './interfaces.ts';
import { ErrorCodes } from '../lib/error-codes.ts';

/** Options for BlockWatcher. */
export interface BlockWatcherOptions {
  /**
   * First block height to connect on `start()`; blocks from here to the tip are emitted as
   * block_connected (a rescan). Default: start at the current tip without history.
   */
  startHeight?: number;
  /** How many recent block hashes to keep for reorg detection (default 288). */
  keepBlocks?: number;
  /** Emit mempool_tx events for every new mempool transaction (default false). */
  watchMempool?: boolean;
}

interface ConfWatch {
  id: WatchId;
  kind: 'tx' | 'script';
  key: string;
  depth: number;
  conf?: { height: number; hash: Uint8Array; txIndex: number; tx: Tx; txid: Uint8Array };
  fired: boolean;
}

interface SpendWatch {
  id: WatchId;
  outpoint: OutPoint;
  key: string;
  spend?: { txid: Uint8Array; tx: Tx; inputIndex: number; height?: number; hash?: Uint8Array };
  firedMempool: boolean;
  firedBlock: boolean;
}


const ZERO_HASH = new Uint8Array(32);

/** BlockWatcher implements ChainNotifier by polling a ChainSource. */
export class BlockWatcher implements ChainNotifier {
  private readonly listeners = new Set<ChainListener>();
  /** height → block hash of our view of the best chain (a sliding window). */
  private readonly known = new Map<number, Uint8Array>();
  private tipHeight = -1;
  private started = false;
  private running: Promise<void> | null = null;
  private again = false;
  private nextId = 1;
  private readonly confWatches = new Map<WatchId, ConfWatch>();
  private readonly byTxid = new Map<string, Set<WatchId>>();
  private readonly byScript = new Map<string, Set<WatchId>>();
  private readonly spendWatches = new Map<WatchId, SpendWatch>();
  private readonly byOutpoint = new Map<string, Set<WatchId>>();
  /** Watches registered with a height hint below our tip: blocks to rescan for them. */
  private pendingRescans: { ids: WatchId[]; fromHeight: number }[] = [];
  private mempoolSeen = new Set<string>();
  private readonly keep: number;
  private listenerErrors: unknown[] = [];

  constructor(
    private readonly source: ChainSource,
    private readonly opts: BlockWatcherOptions = {},
  ) {
    this.keep = Math.max(6, opts.keepBlocks ?? 288);
  }

  /** The tip the watcher has processed (height -1 before start with startHeight 0). */
  get tip(): ChainTip | null {
    const hash = this.known.get(this.tipHeight);
    return hash && this.started ? { height: this.tipHeight, hash } : null;
  }

  /** subscribe adds a listener; the returned function removes it. */
  subscribe(listener: ChainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * start records the starting point and runs a first poll. With `startHeight`, blocks from
   * that height to the tip are connected (and emitted) first.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const start = this.opts.startHeight;
    if (start === undefined) {
      const tip = await this.source.getTip();
      this.tipHeight = tip.height;
      this.known.set(tip.height, tip.hash);
    } else if (start <= 0) {
      this.tipHeight = -1;
      this.known.set(-1, ZERO_HASH);
    } else {
      const hash = await this.source.getBlockHash(start - 1);
      if (!hash) throw new KiteError(ErrorCodes.CHAIN_INVALID_PARAMETER, `startHeight ${start} is above the chain tip`);
      this.tipHeight = start - 1;
      this.known.set(start - 1, hash);
    }
    this.started = true;
    await this.poll();
  }

  /** poll catches up with the backend once (serialised with concurrent calls). */
  async poll(): Promise<void> {
    if (!this.started) return this.start();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pollOnce();
        } while (this.again);
      } finally {
        this.running = null;
      }
      const errors = this.listenerErrors;
      this.listenerErrors = [];
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, 'chain event listeners failed');
    })();
    return this.running;
  }

  watchConfirmations(txid: Uint8Array, depth: number, opts: { script?: Uint8Array; heightHint?: number } = {}): WatchId {
    // `opts.script` is not needed here: a rescan computes the txid of every transaction.
    const id = this.addConf('tx', toHex(txid), depth);
    this.scheduleRescan(id, opts.heightHint, true);
    return id;
  }

  watchScriptConfirmations(script: Uint8Array, depth: number, opts: { heightHint?: number } = {}): WatchId {
    const id = this.addConf('script', toHex(script), depth);
    this.scheduleRescan(id, opts.heightHint, false);
    return id;
  }

  watchSpend(outpoint: OutPoint, opts: { heightHint?: number } = {}): WatchId {
    const id = this.nextId++;
    const key = outpointKey(outpoint);
    this.spendWatches.set(id, { id, outpoint: { txid: outpoint.txid.slice(), vout: outpoint.vout }, key, firedMempool: false, firedBlock: false });
    addTo(this.byOutpoint, key, id);
    this.mempoolSeen.clear(); // the spender may already sit in the mempool: look again
    this.scheduleRescan(id, opts.heightHint, false);
    return id;
  }

  unwatch(id: WatchId): void {
    const c = this.confWatches.get(id);
    if (c) {
      this.confWatches.delete(id);
      removeFrom(c.kind === 'tx' ? this.byTxid : this.byScript, c.key, id);
    }
    const s = this.spendWatches.get(id);
    if (s) {
      this.spendWatches.delete(id);
      removeFrom(this.byOutpoint, s.key, id);
    }
  }

  // ---- internals ----

  private addConf(kind: 'tx' | 'script', key: string, depth: number): WatchId {
    if (!Number.isInteger(depth) || depth < 1) throw new KiteError(ErrorCodes.CHAIN_INVALID_PARAMETER, `depth must be a positive integer, got ${depth}`);
    const id = this.nextId++;
    this.confWatches.set(id, { id, kind, key, depth, fired: false });
    addTo(kind === 'tx' ? this.byTxid : this.byScript, key, id);
    return id;
  }

  private scheduleRescan(id: WatchId, heightHint: number | undefined, lookupTx: boolean): void {
    if (!this.started) {
      if (heightHint !== undefined) this.pendingRescans.push({ ids: [id], fromHeight: heightHint });
      else if (lookupTx) this.pendingRescans.push({ ids: [id], fromHeight: Number.POSITIVE_INFINITY });
      return;
    }
    if (heightHint !== undefined && heightHint <= this.tipHeight) {
      this.pendingRescans.push({ ids: [id], fromHeight: Math.max(0, heightHint) });
    } else if (lookupTx) {
      // No hint: ask the backend's tx index where the tx is (works with txindex or mempool).
      this.pendingRescans.push({ ids: [id], fromHeight: Number.POSITIVE_INFINITY });
    }
  }

  private emit(ev: ChainEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch (e) {
        this.listenerErrors.push(e);
      }
    }
  }

  private async pollOnce(): Promise<void> {
    let changed = false;
    for (let attempt = 0; attempt < 10; attempt++) {
      const tip = await this.source.getTip();
      const ourHash = this.known.get(this.tipHeight);
      if (ourHash && this.tipHeight === tip.height && equalBytes(ourHash, tip.hash)) break;
      const fork = await this.findFork(tip.height);
      if (fork < this.tipHeight) {
        const oldTip = { height: this.tipHeight, hash: this.known.get(this.tipHeight)! };
        this.emit({ type: 'reorg', forkHeight: fork, oldTip, newTip: tip });
        while (this.tipHeight > fork) this.disconnectTip();
        changed = true;
      }
      let raced = false;
      for (let h = fork + 1; h <= tip.height; h++) {
        const hash = await this.source.getBlockHash(h);
        const block = hash ? await this.source.getBlock(hash) : null;
        if (!block || !equalBytes(block.prevHash, this.known.get(h - 1)!)) {
          raced = true; // the chain moved under us; find the fork again
          break;
        }
        this.connect(block);
        changed = true;
      }
      if (!raced) break;
    }
    if (changed) this.emit({ type: 'tip_changed', tip: { height: this.tipHeight, hash: this.known.get(this.tipHeight)! } });
    await this.runRescans();
    await this.scanMempool();
  }

  /** findFork returns the highest height where our stored hash matches the backend's. */
  private async findFork(remoteTipHeight: number): Promise<number> {
    let h = Math.min(this.tipHeight, remoteTipHeight);
    const lowest = this.tipHeight - this.known.size + 1;
    while (h >= lowest) {
      const ours = this.known.get(h);
      if (h === -1) return -1;
      const theirs = await this.source.getBlockHash(h);
      if (ours && theirs && equalBytes(ours, theirs)) return h;
      h--;
    }
    throw new KiteError(CHAIN_ERRORS.DEEP_REORG, `reorg deeper than the ${this.keep} blocks the watcher keeps (below height ${lowest})`);
  }

  private disconnectTip(): void {
    const height = this.tipHeight;
    const hash = this.known.get(height)!;
    this.known.delete(height);
    this.tipHeight = height - 1;
    this.emit({ type: 'block_disconnected', height, hash });
    for (const w of this.confWatches.values()) {
      if (w.conf && w.conf.height >= height) {
        const txid = w.conf.txid;
        const fired = w.fired;
        w.conf = undefined;
        w.fired = false;
        if (fired) this.emit({ type: 'tx_unconfirmed', watchId: w.id, txid });
      }
    }
    for (const w of this.spendWatches.values()) {
      if (w.spend && w.spend.height !== undefined && w.spend.height >= height) {
        const spendingTxid = w.spend.txid;
        w.spend.height = undefined;
        w.spend.hash = undefined;
        const fired = w.firedBlock;
        w.firedBlock = false;
        if (fired) this.emit({ type: 'spend_unconfirmed', watchId: w.id, outpoint: w.outpoint, spendingTxid });
      }
    }
  }

  private connect(block: ChainBlock): void {
    this.tipHeight = block.height;
    this.known.set(block.height, block.hash);
    this.known.delete(block.height - this.keep);
    this.emit({ type: 'block_connected', block });
    this.matchBlock(block, null);
    this.fireDepths();
  }

  /** matchBlock records confirmations and spends found in a block (only `only` watches if given). */
  private matchBlock(block: ChainBlock, only: Set<WatchId> | null): void {
    const anyScripts = this.byScript.size > 0;
    block.txs.forEach((tx, txIndex) => {
      const id = computeTxid(tx);
      const idHex = toHex(id);
      const conf = { height: block.height, hash: block.hash, txIndex, tx, txid: id };
      for (const wid of this.byTxid.get(idHex) ?? []) {
        const w = this.confWatches.get(wid)!;
        if ((!only || only.has(wid)) && !w.conf) w.conf = conf;
      }
      if (anyScripts) {
        for (const out of tx.outputs) {
          const sHex = toHex(out.script);
          for (const wid of this.byScript.get(sHex) ?? []) {
            const w = this.confWatches.get(wid)!;
            if ((!only || only.has(wid)) && !w.conf) w.conf = conf;
          }
        }
      }
      if (this.byOutpoint.size > 0) {
        tx.inputs.forEach((inp, inputIndex) => {
          const key = outpointKey(inp);
          for (const wid of this.byOutpoint.get(key) ?? []) {
            if (only && !only.has(wid)) continue;
            const w = this.spendWatches.get(wid)!;
            if (w.firedBlock) continue;
            w.spend = { txid: id, tx, inputIndex, height: block.height, hash: block.hash };
            w.firedBlock = true;
            w.firedMempool = true;
            this.emit({
              type: 'outpoint_spent',
              watchId: wid,
              outpoint: w.outpoint,
              spendingTx: tx,
              spendingTxid: id,
              inputIndex,
              blockHeight: block.height,
              blockHash: block.hash,
            });
          }
        });
      }
    });
  }

  private fireDepths(): void {
    for (const w of this.confWatches.values()) {
      if (!w.conf || w.fired) continue;
      const depth = this.tipHeight - w.conf.height + 1;
      if (depth >= w.depth) {
        w.fired = true;
        this.emit({
          type: 'tx_confirmed',
          watchId: w.id,
          txid: w.conf.txid,
          tx: w.conf.tx,
          blockHash: w.conf.hash,
          blockHeight: w.conf.height,
          txIndex: w.conf.txIndex,
          depth,
        });
      }
    }
  }

  private async runRescans(): Promise<void> {
    const jobs = this.pendingRescans;
    if (jobs.length === 0) return;
    this.pendingRescans = [];
    const scanIds = new Set<WatchId>();
    let from = Number.POSITIVE_INFINITY;
    for (const job of jobs) {
      for (const id of job.ids) {
        const w = this.confWatches.get(id);
        if (w && w.kind === 'tx' && !w.conf) {
          // Ask the backend first: with a tx index (or the embedded chain) this is one call.
          const found = await this.source.getTransaction(fromHex(w.key));
          if (found?.blockHash && found.blockHeight !== undefined && found.blockHeight <= this.tipHeight) {
            const ours = this.known.get(found.blockHeight) ?? (await this.source.getBlockHash(found.blockHeight));
            if (ours && equalBytes(ours, found.blockHash)) {
              const block = await this.source.getBlock(found.blockHash);
              const txIndex = block ? block.txs.findIndex((t) => toHex(computeTxid(t)) === w.key) : -1;
              if (block && txIndex >= 0) {
                w.conf = { height: block.height, hash: block.hash, txIndex, tx: block.txs[txIndex], txid: fromHex(w.key) };
                continue;
              }
            }
          }
        }
        if (Number.isFinite(job.fromHeight)) {
          scanIds.add(id);
          from = Math.min(from, job.fromHeight);
        }
      }
    }
    if (scanIds.size > 0) {
      const lowest = Math.max(0, from);
      for (let h = lowest; h <= this.tipHeight; h++) {
        const hash = this.known.get(h) ?? (await this.source.getBlockHash(h));
        const block = hash ? await this.source.getBlock(hash) : null;
        if (block) this.matchBlock(block, scanIds);
      }
    }
    this.fireDepths();
  }

  private async scanMempool(): Promise<void> {
    const pendingSpends = [...this.spendWatches.values()].some((w) => !w.firedMempool);
    if (!this.opts.watchMempool && !pendingSpends) return;
    const txids = await this.source.getMempoolTxids();
    const next = new Set<string>();
    for (const id of txids) {
      const key = toHex(id);
      next.add(key);
      if (this.mempoolSeen.has(key)) continue;
      const found = await this.source.getTransaction(id);
      if (!found || found.confirmations > 0) continue;
      const tx = found.tx;
      if (this.opts.watchMempool) this.emit({ type: 'mempool_tx', tx, txid: id });
      tx.inputs.forEach((inp, inputIndex) => {
        for (const wid of this.byOutpoint.get(outpointKey(inp)) ?? []) {
          const w = this.spendWatches.get(wid)!;
          if (w.firedMempool) continue;
          w.firedMempool = true;
          w.spend = { txid: id, tx, inputIndex };
          this.emit({ type: 'outpoint_spent', watchId: wid, outpoint: w.outpoint, spendingTx: tx, spendingTxid: id, inputIndex });
        }
      });
    }
    this.mempoolSeen = next;
  }
}

function addTo(m: Map<string, Set<WatchId>>, key: string, id: WatchId): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(id);
}

function removeFrom(m: Map<string, Set<WatchId>>, key: string, id: WatchId): void {
  const s = m.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) m.delete(key);
}
