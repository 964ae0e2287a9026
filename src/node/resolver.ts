/**
 * OnchainResolver: the node's BOLT #5 side. It watches every channel's funding output; when a
 * transaction spends it, it classifies it with the pure onchain/ library (mutual close, our
 * commitment, theirs, a revoked one, unknown) and then, block after block, carries out the
 * plan: sweeps our outputs to the wallet once their timelocks allow, broadcasts our HTLC
 * transactions, takes everything from a revoked commitment (and from the HTLC transactions
 * the cheater spends it with), raises fees as deadlines near, learns preimages from the
 * peer's spends and tells the payments layer how each HTLC ended.
 *
 * Durable state is small on purpose: the funding spend (table channel_closes) is written
 * before anything is done about it; everything else is recomputed. After a restart or a
 * reorganisation the outputs are watched again from the spend's height, the watcher replays
 * what spent them, and the same plan is carried out again — broadcasting an already-mined
 * transaction is harmless ("MUST be prepared to resolve outputs multiple times").
 */
import { equalBytes, fromHex, toHex } from '../lib/bytes.ts';
import { msat, sat } from '../lib/units.ts';
import { addressToScript, p2wshScript, parseTx, serializeTx, txid as txidOf, txidHex, txWeight, type Network, type Tx } from '../bitcoin/index.ts';
import { commitmentNumberFromTx, type Commitments } from '../channel/index.ts';
import type { ChannelSigner } from '../keys/index.ts';
import {
  addHtlcTxFeeInputs,
  anchorClaim,
  buildAnchorCpfp,
  signAnchorCpfp,
  buildSweeps,
  deadlineHeight,
  extractPreimages,
  holderHtlcOutputClaim,
  planRevokedHtlcTx,
  readyHeight,
  resolveFundingSpend,
  signHolderHtlcTx,
  signSweep,
  snapshotFromCommitments,
  type Claim,
  type FundingSpend,
  type HolderHtlcResolution,
  type HtlcStub,
  type ResolutionPlan,
} from '../onchain/index.ts';
import type { ChainEvent, WatchId } from '../chain/interfaces.ts';
import type { Db } from '../store/sqlite/index.ts';
import type { Logger } from './log.ts';
import type { OnChain } from './onchain.ts';
import { commitmentsOf, type ChannelHandle, type ChannelManager, type RemoteCommitmentRecord } from './channels.ts';

/** Blocks a resolution stays watched after it is complete, against reorganisations (BOLT #5 "irrevocably resolved"). */
export const IRREVOCABLE_DEPTH = 100;
/** Sweeps are re-signed at a higher feerate when their deadline is this close and they are still unconfirmed. */
const BUMP_WITHIN_BLOCKS = 6;

/** How each HTLC ended on chain, for the payments layer. */
export interface OnchainHtlcListener {
  htlcResolvedOnChain(ch: ChannelHandle, paymentHash: Uint8Array, outcome: { preimage: Uint8Array } | { failed: string }): void;
}

export interface ResolverOptions {
  db: Db;
  log: Logger;
  onchain: OnChain;
  channels: ChannelManager;
  network: Network;
  /** Preimages we may reveal on chain: those of invoices we issued and were paid. */
  preimageFor: (paymentHash: Uint8Array) => Uint8Array | null;
}

/** A transaction that spent one of the outputs we follow. */
interface Spender {
  tx: Tx;
  height: number | null;
}

/** A second-stage transaction (our HTLC tx, or theirs from a revoked commitment) and what we claim from it. */
interface SecondStage {
  tx: Tx;
  height: number | null;
  claims: Claim[];
}

/** What we last broadcast for a set of claims. */
interface Broadcasted {
  tx: Tx;
  feeratePerKw: number;
  atHeight: number;
}

interface Close {
  ch: ChannelHandle;
  spendTx: Tx;
  spendTxid: Uint8Array;
  spendHeight: number | null;
  spend: FundingSpend;
  plan: ResolutionPlan | null;
  /** HTLCs that may be on the spend, from our point of view (for preimages and outcomes). */
  htlcs: HtlcStub[];
  commitments: Commitments | null;
  spenders: Map<string, Spender>;
  second: Map<string, SecondStage>;
  watches: Map<string, WatchId>;
  /** Our latest CPFP child of our own commitment, while it is unconfirmed. */
  cpfp?: Broadcasted;
  /** Our unconfirmed sweep of each claimed outpoint. */
  inflight: Map<string, Broadcasted>;
  htlcTxs: Map<string, Broadcasted>;
  reported: Set<string>;
  resolvedHeight: number | null;
  destination: Uint8Array | null;
  warned: boolean;
}

const key = (txid: Uint8Array, vout: number): string => `${toHex(txid)}:${vout}`;

export class OnchainResolver {
  private closes = new Map<number, Close>();
  private fundingWatches = new Map<number, { ch: ChannelHandle; id: WatchId }>();
  private height = 0;
  private unsubscribe: (() => void) | null = null;
  private busy: Promise<void> = Promise.resolve();
  listener: OnchainHtlcListener | null = null;

  constructor(private readonly o: ResolverOptions) {}

  /** start loads pending resolutions, watches every funding output and follows blocks. */
  async start(): Promise<void> {
    this.height = (await this.o.onchain.backend.getTip()).height;
    this.unsubscribe = this.o.onchain.watcher.subscribe((ev) => {
      this.busy = this.busy.then(() => this.onEvent(ev)).catch((e: Error) => this.o.log.error('on-chain resolver failed', { error: e.stack ?? String(e) }));
    });
    const rows = this.o.db.prepare('SELECT channel_dbid, spend_tx, spend_height, resolved_height FROM channel_closes').all() as {
      channel_dbid: number;
      spend_tx: string;
      spend_height: number | null;
      resolved_height: number | null;
    }[];
    for (const r of rows) {
      const ch = this.o.channels.channels.find((c) => c.dbid === r.channel_dbid);
      if (!ch) continue;
      if (r.resolved_height !== null && this.height >= r.resolved_height + IRREVOCABLE_DEPTH) continue;
      this.openClose(ch, parseTx(fromHex(r.spend_tx)), r.spend_height, r.resolved_height);
    }
    this.watchFundings();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** watchFundings watches the funding output of every funded channel not yet closed on chain. */
  watchFundings(): void {
    for (const ch of this.o.channels.channels) {
      if (this.fundingWatches.has(ch.dbid) || ch.dbid === 0) continue;
      const c = commitmentsOf(ch.state);
      if (!c) continue;
      // A resolution being carried out keeps its funding watch: a reorganisation may undo the spend.
      if (!this.closes.has(ch.dbid) && this.isResolved(ch.dbid)) continue;
      const scid = 'shortChannelId' in ch.state ? ch.state.shortChannelId : null;
      const heightHint = scid ? Number(BigInt(scid) >> 40n) : Math.max(0, this.height - 6);
      const id = this.o.onchain.watcher.watchSpend(c.params.funding, { heightHint });
      this.fundingWatches.set(ch.dbid, { ch, id });
    }
  }

  private isResolved(dbid: number): boolean {
    const r = this.o.db.prepare('SELECT resolved_height FROM channel_closes WHERE channel_dbid = ?').get(dbid) as { resolved_height: number | null } | undefined;
    return r !== undefined && r.resolved_height !== null;
  }

  private async onEvent(ev: ChainEvent): Promise<void> {
    switch (ev.type) {
      case 'tip_changed':
        this.height = ev.tip.height;
        this.watchFundings();
        for (const c of [...this.closes.values()]) await this.act(c);
        return;
      case 'outpoint_spent': {
        // Spends of a new block arrive before its tip_changed.
        if (ev.blockHeight !== undefined && ev.blockHeight > this.height) this.height = ev.blockHeight;
        for (const w of this.fundingWatches.values()) {
          if (w.id !== ev.watchId) continue;
          await this.onFundingSpend(w.ch, ev.spendingTx, ev.blockHeight ?? null);
          return;
        }
        for (const c of this.closes.values()) {
          const k = key(ev.outpoint.txid, ev.outpoint.vout);
          if (c.watches.get(k) !== ev.watchId) continue;
          c.spenders.set(k, { tx: ev.spendingTx, height: ev.blockHeight ?? null });
          this.onOutputSpent(c, ev.spendingTx, ev.blockHeight ?? null);
          await this.act(c);
          return;
        }
        return;
      }
      case 'spend_unconfirmed': {
        for (const w of this.fundingWatches.values()) {
          if (w.id !== ev.watchId) continue;
          const c = this.closes.get(w.ch.dbid);
          if (c && equalBytes(c.spendTxid, ev.spendingTxid)) {
            // Reorganised out: the spend may come back, or another one may replace it.
            c.spendHeight = null;
            c.resolvedHeight = null;
            this.save(c);
            this.o.log.warn('funding spend reorganised out', { channel: this.name(c), txid: txidHex(c.spendTx) });
          }
          return;
        }
        for (const c of this.closes.values()) {
          const k = key(ev.outpoint.txid, ev.outpoint.vout);
          if (c.watches.get(k) !== ev.watchId) continue;
          const s = c.spenders.get(k);
          if (s && equalBytes(txidOf(s.tx), ev.spendingTxid)) s.height = null;
          const second = c.second.get(toHex(ev.spendingTxid));
          if (second) second.height = null;
          if (c.resolvedHeight !== null) {
            c.resolvedHeight = null;
            this.save(c);
            this.o.log.warn('a resolving transaction was reorganised out', { channel: this.name(c), txid: txidHex(s?.tx ?? c.spendTx) });
          }
          return;
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * ownCommitmentPublished: we just tried to publish our commitment (force close, a failed
   * channel). It is followed like a spend seen in the mempool, so that with anchors it can be
   * pushed by CPFP even if its own feerate is too low to enter the mempool alone.
   */
  async ownCommitmentPublished(ch: ChannelHandle, tx: Tx): Promise<void> {
    await (this.busy = this.busy.then(async () => {
      if (this.closes.has(ch.dbid)) return;
      const c = this.openClose(ch, tx, null, null);
      if (!c) return;
      this.save(c);
      this.watchFundings();
      await this.bumpCommitment(c);
    }).catch((e: Error) => this.o.log.error('on-chain resolver failed', { error: e.stack ?? String(e) })));
  }

  /**
   * bumpCommitment: while our anchors commitment is unconfirmed and pays less than the
   * feerate its nearest deadline needs, spend our anchor with wallet coins so that the
   * package (commitment + child) pays it (BOLT #5: "MUST spend any to_local_anchor output,
   * providing sufficient fees as incentive to include the commitment transaction in a
   * block"). Re-done with a higher feerate each block it stays unconfirmed.
   */
  private async bumpCommitment(c: Close): Promise<void> {
    if (c.spend.kind !== 'local' || c.spendHeight !== null || !c.plan || !c.commitments) return;
    const anchor = anchorClaim(c.plan);
    if (!anchor) return;
    const deadlines: number[] = [];
    for (const o of c.plan.outputs) {
      if (o.action.kind === 'htlc_tx' && o.action.resolution.deadline && 'height' in o.action.resolution.deadline) deadlines.push(o.action.resolution.deadline.height);
    }
    const target = deadlines.length > 0 ? Math.max(1, Math.min(...deadlines) - this.height) : 6;
    const want = await this.o.onchain.backend.estimateFeerate(target).catch(() => 1000);
    const fee = c.commitments.params.fundingAmount - c.spendTx.outputs.reduce((a, o) => a + o.value, 0n);
    const weight = txWeight(c.spendTx);
    const own = Number((fee * 1000n) / BigInt(weight));
    const prev = c.cpfp;
    if (own >= want && !prev) return; // pays enough by itself
    if (prev && prev.atHeight === this.height) return;
    const feerate = prev ? Math.max(want, Math.ceil(prev.feeratePerKw * 1.25)) : want;
    const wallet = this.o.onchain.wallet;
    let inputs: ReturnType<typeof wallet.selectFeeInputs> = [];
    try {
      const childFee = BigInt(Math.ceil(((weight + 800) * feerate) / 1000)) - fee;
      inputs = wallet.selectFeeInputs(childFee > 0n ? childFee : 1n, { reserveFor: `anchor ${txidHex(c.spendTx)}`, feerate });
      const cpfp = buildAnchorCpfp(anchor, { weight, fee: sat(fee) }, inputs, wallet.changeScript(), feerate);
      const signed = signAnchorCpfp(cpfp, anchor, this.signer(c.ch));
      const prevouts = [{ value: BigInt(anchor.value), script: anchor.scriptPubkey }, ...inputs.map((i) => wallet.getUtxo(i.outpoint)!).map((u) => ({ value: BigInt(u.value), script: u.script }))];
      const child = wallet.signWalletInputs(signed, prevouts);
      const r = await this.o.onchain.backend.submitPackage([c.spendTx, child]);
      this.o.log.info('commitment bumped through our anchor (CPFP)', { channel: this.name(c), feerate, own_feerate: own, child: txidHex(child), result: JSON.stringify(r).slice(0, 200) });
      c.cpfp = { tx: child, feeratePerKw: feerate, atHeight: this.height };
    } catch (e) {
      if (inputs.length > 0) wallet.releaseFeeInputs(inputs);
      this.o.log.warn('could not bump the commitment through its anchor', { channel: this.name(c), error: (e as Error).message });
    }
  }

  /** onFundingSpend records (durably, first) and starts resolving a spend of the funding output. */
  private async onFundingSpend(ch: ChannelHandle, tx: Tx, height: number | null): Promise<void> {
    const existing = this.closes.get(ch.dbid);
    if (existing && equalBytes(existing.spendTxid, txidOf(tx))) {
      existing.spendHeight = height;
      this.save(existing);
    } else {
      if (existing) {
        // Another spend replaced the one we knew (a reorganisation, or a mempool race).
        for (const id of existing.watches.values()) this.o.onchain.watcher.unwatch(id);
        this.closes.delete(ch.dbid);
      }
      const c = this.openClose(ch, tx, height, null);
      if (!c) return;
      this.save(c);
      this.o.log.warn('funding output spent', { channel: this.name(c), kind: c.spend.kind, txid: txidHex(tx), height: height ?? 'mempool' });
    }
    const c = this.closes.get(ch.dbid)!;
    // Tell the channel machine once the spend is confirmed: the channel is over.
    if (height !== null) await this.o.channels.fundingSpent(ch, c.spend.kind === 'mutual_close');
    await this.act(c);
  }

  /** openClose builds the in-memory resolution of a funding spend and watches its outputs. */
  private openClose(ch: ChannelHandle, tx: Tx, height: number | null, resolvedHeight: number | null): Close | null {
    const commitments = commitmentsOf(ch.state);
    const spendTxid = txidOf(tx);
    let spend: FundingSpend = { kind: 'mutual_close', known: false };
    let plan: ResolutionPlan | null = null;
    let htlcs: HtlcStub[] = [];
    if (commitments) {
      const signer = this.signer(ch);
      const history = this.history(ch, commitments, tx);
      const snap = snapshotFromCommitments(commitments, signer, history);
      htlcs = [...snap.htlcs];
      const preimages = htlcs.filter((h) => h.direction === 'received').map((h) => this.o.preimageFor(h.paymentHash)).filter((p): p is Uint8Array => p !== null);
      const closingTxids = ch.state.name === 'Closing' ? [txidOf(ch.state.closingTx)] : [];
      const r = resolveFundingSpend(tx, snap, { preimages, closingTxids, signer });
      if (!r) return null;
      spend = r.spend;
      plan = r.plan;
    }
    const c: Close = {
      ch,
      spendTx: tx,
      spendTxid,
      spendHeight: height,
      spend,
      plan,
      htlcs,
      commitments,
      spenders: new Map(),
      second: new Map(),
      watches: new Map(),
      inflight: new Map(),
      htlcTxs: new Map(),
      reported: new Set(),
      resolvedHeight,
      destination: null,
      warned: false,
    };
    this.closes.set(ch.dbid, c);
    const hint = height ?? Math.max(0, this.height - 1);
    for (const o of plan?.outputs ?? []) {
      if (o.action.kind === 'none' || o.action.kind === 'unknown') continue;
      this.watch(c, spendTxid, o.vout, hint);
    }
    if (spend.kind === 'unknown' || spend.kind === 'local_revoked' || spend.kind === 'remote_future') {
      this.o.log.error('funding output spent by a transaction we cannot fully resolve: funds may be lost', { channel: this.name(c), kind: spend.kind, txid: txidHex(tx) });
    }
    return c;
  }

  private watch(c: Close, txid: Uint8Array, vout: number, heightHint: number): void {
    const k = key(txid, vout);
    if (c.watches.has(k)) return;
    c.watches.set(k, this.o.onchain.watcher.watchSpend({ txid, vout }, { heightHint }));
  }

  /**
   * history lists the HTLCs of the counterparty commitment with the spend's number, from the
   * log of commitments we signed: a revoked commitment's HTLC outputs can only be rebuilt,
   * and taken, from them.
   */
  private history(ch: ChannelHandle, c: Commitments, tx: Tx): HtlcStub[] {
    const n = commitmentNumberFromTx(tx, c.params.obscuringFactor);
    if (n === null) return [];
    const row = this.o.db.prepare('SELECT record FROM remote_commitments WHERE channel_dbid = ? AND number = ?').get(ch.dbid, Number(n)) as { record: string } | undefined;
    if (!row) return [];
    const rec = JSON.parse(row.record) as RemoteCommitmentRecord;
    const live = new Set(c.htlcs.map((h) => `${h.direction}:${h.id}`));
    return rec.htlcs
      .filter((h) => !live.has(`${h.direction}:${h.id}`))
      .map((h) => ({ direction: h.direction, paymentHash: fromHex(h.paymentHash), cltvExpiry: h.cltvExpiry, id: BigInt(h.id) }));
  }

  /** onOutputSpent learns from a transaction that spent one of the outputs we follow. */
  private onOutputSpent(c: Close, tx: Tx, height: number | null): void {
    const id = txidOf(tx);
    // Preimages revealed by the peer settle our outgoing payments.
    const offered = c.htlcs.filter((h) => h.direction === 'offered');
    for (const r of extractPreimages(tx, offered.map((h) => h.paymentHash))) this.report(c, r.paymentHash, { preimage: r.preimage });
    if (!c.plan) return;
    const onCommitment = tx.inputs.some((i) => equalBytes(i.txid, c.spendTxid));
    if (!onCommitment) {
      const second = c.second.get(toHex(id));
      if (second) second.height = height;
      return;
    }
    for (const out of c.plan.outputs) {
      if (!tx.inputs.some((i) => i.vout === out.vout && equalBytes(i.txid, c.spendTxid))) continue;
      // Our own HTLC transaction: its delayed output is ours after to_self_delay.
      if (out.action.kind === 'htlc_tx' && equalBytes(tx.outputs[0]?.script ?? new Uint8Array(0), out.action.resolution.htlcTx.tx.outputs[0]!.script)) {
        const claim = holderHtlcOutputClaim(out.action.resolution, tx);
        c.second.set(toHex(id), { tx, height, claims: [claim] });
        this.watch(c, id, 0, height ?? this.height);
      }
      // The cheater's HTLC transaction from its revoked commitment: its output is ours too.
      if (c.spend.kind === 'remote_revoked' && out.kind === 'htlc' && !this.isOurSweep(c, tx)) {
        const p = planRevokedHtlcTx(tx, { params: c.commitments!.params, commitmentTxid: c.spendTxid, perCommitmentSecret: c.spend.perCommitmentSecret });
        const claims: Claim[] = [];
        for (const o of p?.outputs ?? []) if (o.action.kind === 'sweep') claims.push(o.action.claim);
        if (claims.length > 0) {
          c.second.set(toHex(id), { tx, height, claims });
          for (const cl of claims) this.watch(c, cl.outpoint.txid, cl.outpoint.vout, height ?? this.height);
          this.o.log.warn('the cheater spent a revoked HTLC output: taking its second stage too', { channel: this.name(c), txid: txidHex(tx) });
        }
      }
    }
  }

  private isOurSweep(c: Close, tx: Tx): boolean {
    const id = txidOf(tx);
    for (const b of [...c.inflight.values(), ...c.htlcTxs.values()]) if (equalBytes(txidOf(b.tx), id)) return true;
    return tx.outputs.length === 1 && tx.outputs[0] !== undefined && this.o.onchain.wallet.isMine(tx.outputs[0].script);
  }

  /** act carries out whatever the plan allows at the current height. */
  private async act(c: Close): Promise<void> {
    if (c.spendHeight === null) {
      await this.bumpCommitment(c);
      return; // the rest waits for the spend to confirm
    }
    const tip = this.height;
    if (!c.plan) {
      if (c.resolvedHeight === null) this.markResolved(c, tip);
      return;
    }
    const signer = this.signer(c.ch);
    const spent = (txid: Uint8Array, vout: number): Spender | undefined => c.spenders.get(key(txid, vout));

    // 1. Sweeps: everything ready, batched, at a feerate for the nearest deadline.
    const ready: { claim: Claim; deadline: number | null }[] = [];
    let pending = 0;
    const consider = (claim: Claim, parentHeight: number): void => {
      const by = spent(claim.outpoint.txid, claim.outpoint.vout);
      // Done once confirmed, or when someone else spent it; our own sweep in the mempool stays in play (for fee bumps).
      if (by && (by.height !== null || !c.inflight.has(key(claim.outpoint.txid, claim.outpoint.vout)))) {
        if (by.height === null) pending++;
        return;
      }
      pending++;
      if (readyHeight(claim, parentHeight) <= tip) ready.push({ claim, deadline: deadlineHeight(claim.deadline, parentHeight) });
    };
    for (const { claim, parent } of claimsOf(c)) if (parent !== null) consider(claim, parent);
    if (ready.length > 0) await this.sweep(c, ready, signer);

    // 2. Our HTLC transactions on our own commitment.
    for (const o of c.plan.outputs) {
      if (o.action.kind !== 'htlc_tx') continue;
      const s = spent(c.spendTxid, o.vout);
      if (s) {
        if (s.height === null) pending++;
        continue;
      }
      pending++;
      const res = o.action.resolution;
      if (res.locktime > tip || (res.csv > 0 && c.spendHeight + res.csv - 1 > tip)) continue;
      await this.broadcastHtlcTx(c, res, signer);
    }

    // 3. Outcomes of HTLCs, and completion.
    for (const o of c.plan.outputs) {
      const s = spent(c.spendTxid, o.vout);
      if (o.action.kind === 'wait' && !s) pending++;
      if (s && s.height === null) pending++;
      if (!o.htlc) continue;
      if (s && s.height !== null && o.htlc.direction === 'offered' && extractPreimages(s.tx, [o.htlc.paymentHash]).length === 0) {
        this.report(c, o.htlc.paymentHash, { failed: 'timed out on chain' });
      }
    }
    for (const h of c.plan.htlcsWithoutOutput) {
      // BOLT #5: an HTLC without output on the confirmed commitment is over (failed, unless a preimage says otherwise).
      if (h.direction === 'offered') this.report(c, h.paymentHash, { failed: 'not on the confirmed commitment (trimmed or not yet added)' });
    }
    for (const s of c.second.values()) if (s.height === null) pending++;
    if (pending === 0 && c.resolvedHeight === null) this.markResolved(c, tip);
    if (c.resolvedHeight !== null && tip >= c.resolvedHeight + IRREVOCABLE_DEPTH) this.forget(c);
  }

  /**
   * sweep spends the ready claims: claims not yet in one of our transactions go into new
   * sweeps; those already in flight are rebroadcast, or re-signed at a higher feerate
   * (replace-by-fee) when their deadline is near and a block passed without them.
   */
  private async sweep(c: Close, ready: { claim: Claim; deadline: number | null }[], signer: ChannelSigner): Promise<void> {
    const tip = this.height;
    const fresh: { claim: Claim; deadline: number | null }[] = [];
    const flying = new Map<Broadcasted, { claim: Claim; deadline: number | null }[]>();
    for (const r of ready) {
      const b = c.inflight.get(key(r.claim.outpoint.txid, r.claim.outpoint.vout));
      if (!b) fresh.push(r);
      else flying.set(b, [...(flying.get(b) ?? []), r]);
    }
    for (const [b, rs] of flying) {
      const nearest = nearestDeadline(rs);
      const urgent = nearest !== null && nearest - tip <= BUMP_WITHIN_BLOCKS && tip > b.atHeight;
      if (!urgent) {
        await this.broadcast(c, b.tx, 'sweep (again)');
        continue;
      }
      const estimate = await this.feerateFor(nearest, tip);
      // Replace-by-fee: at least 25% more than what we offered, and no less than the estimate.
      await this.sweepClaims(c, rs, Math.max(estimate, Math.ceil(b.feeratePerKw * 1.25)), signer, 'sweep (fee bump)');
    }
    if (fresh.length > 0) await this.sweepClaims(c, fresh, await this.feerateFor(nearestDeadline(fresh), tip), signer, null);
  }

  private async feerateFor(deadline: number | null, tip: number): Promise<number> {
    const target = deadline === null ? 12 : Math.max(1, Math.min(1008, deadline - tip));
    return this.o.onchain.backend.estimateFeerate(target).catch(() => 1000);
  }

  private async sweepClaims(c: Close, rs: { claim: Claim }[], feerate: number, signer: ChannelSigner, label: string | null): Promise<void> {
    c.destination ??= addressToScript(this.o.onchain.wallet.newAddress().bech32!, this.o.network);
    // Penalties first: they must win the race against the cheater's delayed spends.
    const claims = rs.map((r) => r.claim).sort((a, b) => Number(isPenalty(b)) - Number(isPenalty(a)));
    const built = buildSweeps(claims, { destination: c.destination, feeratePerKw: feerate, locktime: this.height });
    for (const u of built.uneconomic) {
      const k = key(u.outpoint.txid, u.outpoint.vout);
      if (!c.reported.has(`dust:${k}`)) {
        c.reported.add(`dust:${k}`);
        this.o.log.info('output not worth sweeping at this feerate', { channel: this.name(c), outpoint: k, value: u.value.toString(), feerate });
      }
    }
    for (const s of built.sweeps) {
      const tx = signSweep(s, signer);
      const name = label ?? (s.claims.some(isPenalty) ? 'penalty' : 'sweep');
      if (!(await this.broadcast(c, tx, name))) continue;
      const b: Broadcasted = { tx, feeratePerKw: feerate, atHeight: this.height };
      for (const cl of s.claims) c.inflight.set(key(cl.outpoint.txid, cl.outpoint.vout), b);
    }
  }

  private async broadcastHtlcTx(c: Close, res: HolderHtlcResolution, signer: ChannelSigner): Promise<void> {
    const k = key(res.htlcTx.tx.inputs[0]!.txid, res.htlcTx.tx.inputs[0]!.vout);
    const prev = c.htlcTxs.get(k);
    if (prev) {
      await this.broadcast(c, prev.tx, `htlc-${res.kind} (again)`);
      return;
    }
    let tx: Tx;
    if (!res.anchors) tx = signHolderHtlcTx(res, signer);
    else {
      // Zero-fee with anchors: add wallet inputs that pay for it (BOLT #5).
      const feerate = await this.o.onchain.backend.estimateFeerate(6).catch(() => 1000);
      const wallet = this.o.onchain.wallet;
      const needed = BigInt(Math.ceil((feerate * 1200) / 1000)) + 1000n;
      const inputs = wallet.selectFeeInputs(needed, { reserveFor: `htlc-tx ${k}` });
      try {
        const withFees = addHtlcTxFeeInputs(res, inputs, wallet.changeScript(), feerate);
        const signed = signHolderHtlcTx(res, signer, withFees.tx);
        const prevouts = [{ value: res.htlcTx.inputValue, script: p2wshScript(res.htlcTx.inputWitnessScript) }, ...inputs.map((i) => wallet.getUtxo(i.outpoint)!)].map((u) => ({ value: BigInt(u.value), script: u.script }));
        tx = wallet.signWalletInputs(signed, prevouts);
      } catch (e) {
        wallet.releaseFeeInputs(inputs);
        this.o.log.warn('could not fund an HTLC transaction', { channel: this.name(c), error: (e as Error).message });
        return;
      }
    }
    if (await this.broadcast(c, tx, `htlc-${res.kind}`)) c.htlcTxs.set(k, { tx, feeratePerKw: 0, atHeight: this.height });
  }

  private async broadcast(c: Close, tx: Tx, label: string): Promise<boolean> {
    try {
      await this.o.onchain.backend.broadcast(tx);
      if (!label.endsWith('(again)')) this.o.log.info('on-chain broadcast', { channel: this.name(c), label, txid: txidHex(tx) });
      return true;
    } catch (e) {
      const m = (e as Error).message;
      // Already in the mempool or mined, or its inputs are spent: the watcher will tell.
      if (/already|missingorspent|missing-inputs|conflict|bad-txns-inputs/i.test(m)) return true;
      this.o.log.info('on-chain broadcast refused', { channel: this.name(c), label, txid: txidHex(tx), error: m });
      return false;
    }
  }

  private report(c: Close, paymentHash: Uint8Array, outcome: { preimage: Uint8Array } | { failed: string }): void {
    const k = toHex(paymentHash);
    if (c.reported.has(k)) return;
    c.reported.add(k);
    this.o.log.info('htlc resolved on chain', { channel: this.name(c), payment_hash: k, outcome: 'preimage' in outcome ? 'fulfilled' : outcome.failed });
    this.listener?.htlcResolvedOnChain(c.ch, paymentHash, outcome);
  }

  private markResolved(c: Close, height: number): void {
    c.resolvedHeight = height;
    this.save(c);
    this.o.log.info('channel resolved on chain', { channel: this.name(c), kind: c.spend.kind, height });
  }

  private forget(c: Close): void {
    for (const id of c.watches.values()) this.o.onchain.watcher.unwatch(id);
    this.closes.delete(c.ch.dbid);
    const w = this.fundingWatches.get(c.ch.dbid);
    if (w) this.o.onchain.watcher.unwatch(w.id);
    this.fundingWatches.delete(c.ch.dbid);
  }

  private save(c: Close): void {
    this.o.db
      .prepare(
        `INSERT INTO channel_closes (channel_dbid, spend_txid, spend_tx, kind, spend_height, resolved_height, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel_dbid) DO UPDATE SET spend_txid = excluded.spend_txid, spend_tx = excluded.spend_tx, kind = excluded.kind,
           spend_height = excluded.spend_height, resolved_height = excluded.resolved_height, updated_at = excluded.updated_at`,
      )
      .run(c.ch.dbid, txidHex(c.spendTx), toHex(serializeTx(c.spendTx)), c.spend.kind, c.spendHeight, c.resolvedHeight, Math.floor(Date.now() / 1000));
  }

  private signer(ch: ChannelHandle): ChannelSigner {
    return this.o.channels.signerFor(ch.keyIndex);
  }

  private name(c: Close): string {
    return c.commitments ? toHex(c.commitments.params.channelId).slice(0, 16) : String(c.ch.dbid);
  }

  // ---- views for RPC ----

  /** closeKind reports how a channel ended on chain, if it did. */
  closeOf(ch: ChannelHandle): { kind: string; txid: string; height: number | null; resolvedHeight: number | null } | null {
    const c = this.closes.get(ch.dbid);
    if (c) return { kind: c.spend.kind, txid: txidHex(c.spendTx), height: c.spendHeight, resolvedHeight: c.resolvedHeight };
    const r = this.o.db.prepare('SELECT spend_txid, kind, spend_height, resolved_height FROM channel_closes WHERE channel_dbid = ?').get(ch.dbid) as
      | { spend_txid: string; kind: string; spend_height: number | null; resolved_height: number | null }
      | undefined;
    return r ? { kind: r.kind, txid: r.spend_txid, height: r.spend_height, resolvedHeight: r.resolved_height } : null;
  }

  /** pending lists the outputs of on-chain resolutions still to come to the wallet, with their blocks to go. */
  pending(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const c of this.closes.values()) {
      if (!c.plan || c.resolvedHeight !== null) continue;
      for (const { claim, parent } of claimsOf(c)) {
        const s = c.spenders.get(key(claim.outpoint.txid, claim.outpoint.vout));
        if (s && s.height !== null) continue;
        const ready = parent === null ? null : readyHeight(claim, parent);
        out.push({
          channel_id: this.name(c),
          txid: toHex(Uint8Array.from(claim.outpoint.txid).reverse()),
          output: claim.outpoint.vout,
          amount_msat: msat(BigInt(claim.value) * 1000n),
          resolution: claim.kind,
          status: s ? 'spending' : ready === null ? 'awaiting confirmation' : ready <= this.height ? 'spendable' : 'maturing',
          blocks_to_go: ready === null ? null : Math.max(0, ready - this.height),
        });
      }
      for (const o of c.plan.outputs) {
        if (o.action.kind !== 'htlc_tx' || c.spenders.has(key(c.spendTxid, o.vout))) continue;
        const res = o.action.resolution;
        const ready = c.spendHeight === null ? null : Math.max(res.locktime, res.csv > 0 ? c.spendHeight + res.csv - 1 : 0);
        out.push({
          channel_id: this.name(c),
          txid: txidHex(c.spendTx),
          output: o.vout,
          amount_msat: msat(BigInt(o.value) * 1000n),
          resolution: `htlc_${res.kind}`,
          status: ready === null ? 'awaiting confirmation' : ready <= this.height ? 'spendable' : 'maturing',
          blocks_to_go: ready === null ? null : Math.max(0, ready - this.height),
        });
      }
    }
    return out;
  }
}

/**
 * claimsOf lists every output of a resolution we sweep ourselves — on the funding spend and on
 * the second-stage transactions — with the height its parent confirmed at (null: unconfirmed).
 */
function claimsOf(c: Close): { claim: Claim; parent: number | null }[] {
  const out: { claim: Claim; parent: number | null }[] = [];
  for (const o of c.plan?.outputs ?? []) if (o.action.kind === 'sweep') out.push({ claim: o.action.claim, parent: c.spendHeight });
  for (const s of c.second.values()) for (const cl of s.claims) out.push({ claim: cl, parent: s.height });
  return out;
}

function nearestDeadline(rs: { deadline: number | null }[]): number | null {
  const ds = rs.map((r) => r.deadline).filter((d): d is number => d !== null);
  return ds.length > 0 ? Math.min(...ds) : null;
}

function isPenalty(c: Claim): boolean {
  return c.kind === 'to_local_revoked' || c.kind === 'htlc_revoked';
}
