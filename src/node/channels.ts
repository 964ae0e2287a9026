/**
 * ChannelManager: runs the pure BOLT 2 channel machine (src/channel) for every channel of the
 * node. It routes peer messages to channels, executes the machine's effects in order —
 * `persist` is a synchronous SQLite commit before any message it enables goes out — talks to
 * the wallet and chain for funding, and hands received HTLCs to the payments layer.
 */
import { fromHex, toHex, equalBytes } from '../lib/bytes.ts';
import { KiteError } from '../lib/errors.ts';
import { msat, sat, shortChannelId, formatScid, type Msat, type Sat } from '../lib/units.ts';
import { randomBytes } from '../crypto/index.ts';
import { InMemorySigner } from '../keys/index.ts';
import { type WireMessage } from '../wire/index.ts';
import {
  currentView,
  receivableMsat,
  spendableMsat,
  hasChangesForRemote,
  signedLocalCommitment,
  startFunder,
  startFundee,
  step,
  type ChannelConfig,
  type Commitments,
  type ChannelEnv,
  type ChannelEvent,
  type ChannelMessage,
  type ChannelState,
  type Command,
  type Effect,
  type OpenChannel,
} from '../channel/index.ts';
import { addressToScript, parseTx, txid as txidOf, serializeTx, txidHex, type Network, type Tx } from '../bitcoin/index.ts';
import { decodeRecord, encodeRecord, type Db } from '../store/sqlite/index.ts';
import type { Logger } from './log.ts';
import type { OnChain } from './onchain.ts';
import type { Peer } from './peer.ts';
import type { PeerManager } from './peers.ts';
import { ErrorCodes } from '../lib/error-codes.ts';

const RECORD_VERSION = 1;
/** How long a state that no message depends on may wait for the next commit. */
const LAZY_COMMIT_MS = 200;
/**
 * The funder keeps the commitment feerate near the estimate: it sends update_fee when the
 * estimate rises above 1.25x the commitment's feerate or falls below half of it (a band, so
 * that a noisy estimate does not cause an update dance every block).
 */
const FEE_UPDATE_RISE = 1.25;
const FEE_UPDATE_FALL = 0.5;
/** Weight of a legacy closing transaction with two P2WSH-sized outputs, to turn feerates into fees. */
const CLOSING_TX_WEIGHT = 724n;

/** A closing feerate range (sat per 1000 weight) chosen with `close`. */
export interface CloseFeerateRange {
  minPerKw: number;
  maxPerKw: number;
}

type QueuedEvent = ChannelEvent | { kind: 'start'; result: () => { state: ChannelState; effects: Effect[] } };

/** Channel-level notifications for the payments layer. */
export interface ChannelListener {
  htlcReceived(ch: ChannelHandle, e: Extract<Effect, { kind: 'htlc_received' }>): void;
  htlcSettled(ch: ChannelHandle, e: Extract<Effect, { kind: 'htlc_settled' }>): void;
  htlcFailed(ch: ChannelHandle, e: Extract<Effect, { kind: 'htlc_failed' }>): void;
}

/** One channel as the node holds it. */
export interface ChannelHandle {
  dbid: number;
  peerId: string;
  keyIndex: bigint;
  state: ChannelState;
  /** Serialises steps: each event waits for the previous one's effects. */
  queue: Promise<unknown>;
  /** Resolvers waiting for a command's outcome. */
  waiters: { kind: Command['kind'] | 'open' | 'ready' | 'closed'; resolve: (v: unknown) => void; reject: (e: Error) => void }[];
  fundingTxid?: string;
  /** Events waiting to be stepped, with who waits for each one's effects. */
  inbox?: { event: QueuedEvent; resolve: (effects: Effect[]) => void; write?: () => void }[];
  /** Writes of other layers to commit with this channel's next state (see `command`). */
  pendingWrites?: (() => void)[];
  draining?: boolean;
  /** A lazy commit of the current state is pending. */
  flushTimer?: NodeJS.Timeout;
  /**
   * The closing feerate range asked for with `close`. Kept in memory only: after a restart
   * the negotiation restarts (BOLT #2 retransmits shutdown) with the configured range.
   */
  closeRange?: CloseFeerateRange;
  /** The number of the last counterparty commitment written to remote_commitments. */
  loggedRemote?: bigint;
  /** Developer mode: the number of the last of our commitments written to dev_local_commitments. */
  loggedLocal?: bigint;
  /** Developer: revoke_and_ack is not sent (dev-hold-revoke), to keep updates in flight. */
  holdRevoke?: boolean;
}

/**
 * A counterparty commitment we signed, as stored in remote_commitments. Balances and HTLC
 * directions are from our point of view (toLocal is ours; an 'offered' HTLC is one we added).
 * Amounts are decimal strings, hashes and points hex, txid in internal byte order.
 */
export interface RemoteCommitmentRecord {
  number: string;
  txid: string;
  perCommitmentPoint: string;
  feeratePerKw: number;
  toLocalMsat: string;
  toRemoteMsat: string;
  htlcs: { direction: 'offered' | 'received'; id: string; amountMsat: string; paymentHash: string; cltvExpiry: number }[];
}

export interface ChannelManagerOptions {
  db: Db;
  nodeSecret: Uint8Array;
  chainHash: Uint8Array;
  peers: PeerManager;
  onchain: OnChain;
  log: Logger;
  network: Network;
  /** Policy; the shutdown script is filled from the wallet when empty. */
  config: Partial<ChannelConfig>;
  /** Developer mode: keep our signed commitments so that dev-publish-revoked can cheat. */
  developer?: boolean;
}

/** The default policy, close to what other implementations use on regtest. */
export function defaultChannelConfig(shutdownScript: Uint8Array): ChannelConfig {
  return {
    dustLimit: sat(546),
    maxHtlcValueInFlight: msat(10_000_000_000_000n),
    channelReservePpm: 10_000,
    htlcMinimum: msat(1),
    toSelfDelay: 144,
    maxAcceptedHtlcs: 483,
    minimumDepth: 3,
    maxToSelfDelay: 2016,
    maxMinimumDepth: 144,
    minFundingSat: sat(20_000),
    largeChannels: true,
    maxHtlcMinimum: msat(10_000_000),
    minMaxAcceptedHtlcs: 5,
    maxChannelReservePpm: 200_000,
    maxDustLimit: sat(10_000),
    maxDustExposure: msat(50_000_000),
    acceptStaticRemotekey: true,
    anySegwit: true,
    upfrontShutdown: false,
    shutdownScript,
    closingFeeRange: { min: sat(200), max: sat(50_000) },
  };
}

/** commitmentsOf returns a state's commitments, or null before funding and once closed. */
export function commitmentsOf(s: ChannelState): Commitments | null {
  return 'commitments' in s && s.commitments ? s.commitments : null;
}

/** channelIdOf is the channel's id in its current state (the temporary one before funding). */
export function channelIdOf(s: ChannelState): Uint8Array {
  const c = commitmentsOf(s);
  if (c) return c.params.channelId;
  if ('pending' in s) return s.pending.open.temporary_channel_id;
  if (s.name === 'Closed') return s.channelId;
  return new Uint8Array(32);
}

function temporaryIdOf(s: ChannelState): Uint8Array | null {
  const c = commitmentsOf(s);
  if (c) return c.params.temporaryChannelId;
  if ('pending' in s) return s.pending.open.temporary_channel_id;
  return null;
}

export class ChannelManager {
  readonly channels: ChannelHandle[] = [];
  listener: ChannelListener | null = null;
  /** Told when we publish our own commitment (the on-chain resolver follows and may CPFP it). */
  onCommitmentPublished: ((ch: ChannelHandle, tx: Tx) => void) | null = null;
  private height = 0;
  private feerates = { commitment: 1000, min: 253, max: 250_000, closing: 1000 };
  private shutdownScript: Uint8Array | null = null;

  constructor(private readonly o: ChannelManagerOptions) {
    this.load();
  }

  private load(): void {
    const rows = this.o.db.prepare('SELECT dbid, peer_id, key_index, record FROM channels ORDER BY dbid').all() as {
      dbid: number;
      peer_id: string;
      key_index: number;
      record: string;
    }[];
    const logged = this.o.db.prepare('SELECT MAX(number) AS n FROM remote_commitments WHERE channel_dbid = ?');
    for (const r of rows) {
      const { value } = decodeRecord<ChannelState>(r.record);
      const n = (logged.get(r.dbid) as { n: number | null }).n;
      this.channels.push({
        dbid: r.dbid,
        peerId: r.peer_id,
        keyIndex: BigInt(r.key_index),
        state: value,
        queue: Promise.resolve(),
        waiters: [],
        loggedRemote: n === null ? undefined : BigInt(n),
      });
    }
  }

  /** start refreshes chain-derived inputs and begins following blocks. */
  async start(): Promise<void> {
    await this.refreshChainInputs();
    this.o.onchain.watcher.subscribe((ev) => {
      if (ev.type === 'tip_changed') void this.onBlock();
    });
    await this.onBlock();
  }

  /**
   * updateFeeIfNeeded: as the funder of a channel in normal operation, send update_fee when
   * the estimate has left the band around the commitment's feerate (BOLT #2: "The node
   * responsible for paying the Bitcoin fee: SHOULD send update_fee to ensure the current fee
   * rate is sufficient (by a significant margin) for timely processing of the commitment
   * transaction."). A refusal by our own machine (e.g. the funder could not afford the new
   * fee, or dust exposure) is logged and retried on a later block.
   */
  private async updateFeeIfNeeded(ch: ChannelHandle): Promise<void> {
    const s = ch.state;
    if (s.name !== 'Normal' || !this.peerOf(ch)) return;
    const c = s.commitments;
    if (!c.params.localIsFunder || c.connection !== 'up' || c.fees.length > 0) return;
    const current = c.localCommit.spec.feeratePerKw;
    const target = this.feerates.commitment;
    if (target <= current * FEE_UPDATE_RISE && target >= current * FEE_UPDATE_FALL) return;
    const why = await this.tryCommand(ch, { kind: 'update_fee', feeratePerKw: target });
    if (why) this.o.log.info('update_fee not sent', { channel: toHex(channelIdOf(s)).slice(0, 16), feerate: target, why });
    else this.o.log.info('update_fee sent', { channel: toHex(channelIdOf(s)).slice(0, 16), from: current, to: target });
  }

  /** setFeerate sends update_fee with a chosen feerate (the developer command dev-feerate). */
  async setFeerate(ch: ChannelHandle, feeratePerKw: number): Promise<void> {
    const why = await this.tryCommand(ch, { kind: 'update_fee', feeratePerKw });
    if (why) throw new KiteError(ErrorCodes.FAILED, `update_fee refused: ${why}`);
  }

  private async refreshChainInputs(): Promise<void> {
    const tip = await this.o.onchain.backend.getTip();
    this.height = tip.height;
    try {
      const fee = await this.o.onchain.backend.estimateFeerate(6);
      this.feerates = { commitment: Math.max(253, fee), min: 253, max: Math.max(250_000, fee * 10), closing: Math.max(253, fee) };
    } catch {
      /* keep the previous estimate */
    }
  }

  private config(): ChannelConfig {
    if (!this.shutdownScript) {
      const addr = this.o.onchain.wallet.newAddress().bech32;
      this.shutdownScript = addressToScript(addr, this.o.network);
    }
    return { ...defaultChannelConfig(this.shutdownScript ?? new Uint8Array(0)), ...this.o.config };
  }

  private env(keyIndex: bigint, ch?: ChannelHandle): ChannelEnv {
    const config = this.config();
    let feerates = this.feerates;
    const r = ch?.closeRange;
    if (r) {
      // The closing fee range in satoshis follows from the feerates and the closing weight.
      const fee = (perKw: number): Sat => sat((BigInt(perKw) * CLOSING_TX_WEIGHT) / 1000n);
      config.closingFeeRange = { min: fee(r.minPerKw), max: fee(r.maxPerKw) };
      config.closingFeeRangeForced = true;
      feerates = { ...feerates, closing: Math.min(Math.max(feerates.closing, r.minPerKw), r.maxPerKw) };
    }
    return {
      chainHash: this.o.chainHash,
      config,
      feerates,
      blockHeight: this.height,
      randomBytes,
      signer: this.signerFor(keyIndex),
    };
  }

  /** Signers derive their base secrets once per channel (an HMAC chain and five point multiplications). */
  private signers = new Map<bigint, InMemorySigner>();
  /** signerFor is the signer of channel key index `keyIndex` (also the on-chain resolver's). */
  signerFor(keyIndex: bigint): InMemorySigner {
    let s = this.signers.get(keyIndex);
    if (!s) {
      s = InMemorySigner.fromNodeSecret(this.o.nodeSecret, keyIndex);
      this.signers.set(keyIndex, s);
    }
    return s;
  }

  private nextKeyIndex(): bigint {
    const r = this.o.db.prepare('SELECT MAX(key_index) AS m FROM channels').get() as { m: number | null };
    return BigInt((r.m ?? -1) + 1);
  }

  /**
   * persist commits the state before anything that depends on it is said: the channel record
   * and, in the same transaction, each counterparty commitment we signed since the last
   * commit (see logRemoteCommitment).
   */
  private persist(ch: ChannelHandle, state: ChannelState): void {
    const record = encodeRecord(RECORD_VERSION, state);
    const now = Math.floor(Date.now() / 1000);
    const id = toHex(channelIdOf(state));
    this.o.db.transaction(() => {
      const writes = ch.pendingWrites ?? [];
      ch.pendingWrites = [];
      for (const w of writes) w();
      if (ch.dbid === 0) {
        const r = this.o.db
          .prepare('INSERT INTO channels (peer_id, channel_id, key_index, state_name, record, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(ch.peerId, id, Number(ch.keyIndex), state.name, record, now);
        ch.dbid = Number(r.lastInsertRowid);
      } else {
        this.o.db.prepare('UPDATE channels SET channel_id = ?, state_name = ?, record = ?, updated_at = ? WHERE dbid = ?').run(id, state.name, record, now, ch.dbid);
      }
      this.logRemoteCommitment(ch, state);
      if (this.o.developer) this.logLocalCommitment(ch, state);
    })();
  }

  /** logLocalCommitment (developer mode only) keeps each of our signed commitments, once. */
  private logLocalCommitment(ch: ChannelHandle, state: ChannelState): void {
    const c = commitmentsOf(state);
    if (!c || c.localCommit.remoteSig.length !== 64 || state.name === 'AwaitingFundingSigned') return;
    if (ch.loggedLocal !== undefined && c.localCommit.number <= ch.loggedLocal) return;
    ch.loggedLocal = c.localCommit.number;
    const tx = signedLocalCommitment(c, this.env(ch.keyIndex, ch));
    this.o.db
      .prepare('INSERT OR IGNORE INTO dev_local_commitments (channel_dbid, number, tx, to_us_msat) VALUES (?, ?, ?, ?)')
      .run(ch.dbid, Number(c.localCommit.number), toHex(serializeTx(tx)), c.localCommit.spec.toLocal.toString());
  }

  /**
   * devPublishRevoked (developer mode) broadcasts one of our own revoked commitments: the
   * given number, or the revoked one where we had the most. The peer should punish it.
   */
  async devPublishRevoked(ch: ChannelHandle, number?: number, withHtlcs = false): Promise<{ txid: string; tx: string; number: number; to_us_msat: string }> {
    const c = commitmentsOf(ch.state);
    if (!c) throw new KiteError(ErrorCodes.FAILED, 'the channel has no commitments');
    let rows = this.o.db
      .prepare('SELECT number, tx, to_us_msat FROM dev_local_commitments WHERE channel_dbid = ? AND number < ? ORDER BY number')
      .all(ch.dbid, Number(c.localCommit.number)) as { number: number; tx: string; to_us_msat: string }[];
    // Balances and anchors make at most 4 outputs: more means HTLC outputs.
    if (withHtlcs) rows = rows.filter((r) => parseTx(fromHex(r.tx)).outputs.length > 4);
    const pick = number === undefined ? rows.reduce<(typeof rows)[number] | undefined>((b, r) => (!b || BigInt(r.to_us_msat) > BigInt(b.to_us_msat) ? r : b), undefined) : rows.find((r) => r.number === number);
    if (!pick) throw new KiteError(ErrorCodes.FAILED, number === undefined ? 'no revoked commitment of ours is kept for this channel' : `no revoked commitment number ${number} is kept`);
    const tx = parseTx(fromHex(pick.tx));
    await this.o.onchain.backend.broadcast(tx);
    this.o.log.warn('developer: published a revoked commitment', { number: pick.number, txid: txidHex(tx) });
    return { txid: txidHex(tx), tx: pick.tx, number: pick.number, to_us_msat: pick.to_us_msat };
  }

  /**
   * logRemoteCommitment records the counterparty's latest commitment we signed, once: its
   * txid, number, per-commitment point, balances and HTLCs. Should the peer ever publish it,
   * revoked or not, this is what the on-chain monitor needs to rebuild its output scripts;
   * the revocation secrets themselves live once in the channel's shachain store.
   */
  private logRemoteCommitment(ch: ChannelHandle, state: ChannelState): void {
    const c = commitmentsOf(state);
    if (!c || c.remoteCommit.txid.length !== 32) return;
    const n = c.remoteCommit.number;
    if (ch.loggedRemote !== undefined && n <= ch.loggedRemote) return;
    const view = currentView(c, 'remote');
    const rec: RemoteCommitmentRecord = {
      number: n.toString(),
      txid: toHex(c.remoteCommit.txid),
      perCommitmentPoint: toHex(c.remoteCommit.perCommitmentPoint),
      feeratePerKw: view.spec.feeratePerKw,
      toLocalMsat: view.spec.toLocal.toString(),
      toRemoteMsat: view.spec.toRemote.toString(),
      htlcs: view.htlcs.map((h) => ({ direction: h.direction, id: h.id.toString(), amountMsat: h.amount.toString(), paymentHash: toHex(h.paymentHash), cltvExpiry: h.cltvExpiry })),
    };
    this.o.db
      .prepare('INSERT OR REPLACE INTO remote_commitments (channel_dbid, number, txid, record) VALUES (?, ?, ?, ?)')
      .run(ch.dbid, Number(n), toHex(Uint8Array.from(c.remoteCommit.txid).reverse()), JSON.stringify(rec));
    ch.loggedRemote = n;
  }

  /** remoteCommitments lists the counterparty commitments we signed for a channel, oldest first. */
  remoteCommitments(ch: ChannelHandle): RemoteCommitmentRecord[] {
    const rows = this.o.db.prepare('SELECT record FROM remote_commitments WHERE channel_dbid = ? ORDER BY number').all(ch.dbid) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as RemoteCommitmentRecord);
  }

  /** remoteCommitmentByTxid finds the channel and commitment a published txid (display order) belongs to. */
  remoteCommitmentByTxid(txid: string): { ch: ChannelHandle; rec: RemoteCommitmentRecord } | null {
    const row = this.o.db.prepare('SELECT channel_dbid, record FROM remote_commitments WHERE txid = ?').get(txid) as { channel_dbid: number; record: string } | undefined;
    const ch = row && this.channels.find((c) => c.dbid === row.channel_dbid);
    return row && ch ? { ch, rec: JSON.parse(row.record) as RemoteCommitmentRecord } : null;
  }

  /**
   * run queues one event for a channel and resolves, once the event's effects have been
   * carried out, with the effects its step produced.
   */
  private run(ch: ChannelHandle, event: QueuedEvent, write?: () => void): Promise<Effect[]> {
    return new Promise((resolve) => {
      ch.inbox ??= [];
      ch.inbox.push({ event, resolve, write });
      if (!ch.draining) {
        ch.draining = true;
        ch.queue = ch.queue.then(() => this.drain(ch)).catch((e: Error) => this.o.log.error('channel drain failed', { error: e.stack ?? String(e) })).finally(() => (ch.draining = false));
      }
    });
  }

  /**
   * drain steps every queued event of a channel, then commits the resulting state once and
   * only then carries out what others can observe (messages, broadcasts, waiters).
   *
   * Events that are already waiting are stepped together so that one synchronous commit
   * covers them all: e.g. a received revoke_and_ack that completes an incoming HTLC, the
   * fulfill the payments layer answers with, and the commitment_signed that follows. That is
   * still "persist before you speak": every message goes out after a commit of a state at
   * least as new as the one that produced it. Payments-layer notifications (htlc_received,
   * htlc_settled, htlc_failed) run inside the batch; they record durable payment facts of
   * their own and queue commands, which join the same batch. A batch that only absorbs peer
   * messages and says nothing (e.g. a lone update_add_htlc) is committed lazily: losing it in
   * a crash is the same as losing the message in flight, which BOLT #2 retransmission
   * recovers ("MUST ignore any redundant channel_ready", re-sends of uncommitted updates and
   * of revoke_and_ack on channel_reestablish).
   */
  private async drain(ch: ChannelHandle): Promise<void> {
    const inbox = (ch.inbox ??= []);
    while (inbox.length > 0) {
      const done: { resolve: (e: Effect[]) => void; effects: Effect[] }[] = [];
      const outward: Effect[] = [];
      let changed = false;
      let quiet = true;
      // One transaction for the whole batch, which runs synchronously: the channel state and
      // what the payments layer records on the way (the payment row, its completion, the
      // invoice marked paid) share one synchronous commit.
      this.o.db.transaction(() => {
        while (inbox.length > 0) {
          const { event, resolve, write } = inbox.shift()!;
          let result;
          try {
            result = event.kind === 'start' ? event.result() : step(ch.state, event, this.env(ch.keyIndex, ch));
          } catch (e) {
            this.o.log.error('channel step threw', { channel: toHex(channelIdOf(ch.state)), event: event.kind, error: (e as Error).stack ?? String(e) });
            resolve([]);
            continue;
          }
          ch.state = result.state;
          this.o.log.debug('channel step', {
            channel: toHex(channelIdOf(ch.state)).slice(0, 16),
            event: event.kind === 'message' ? event.message.type : event.kind === 'command' ? `command:${event.command.kind}` : event.kind,
            state: ch.state.name,
            effects: result.effects.map((e) => (e.kind === 'send_message' ? `send:${e.message.type}` : e.kind)).join(','),
          });
          // An added HTLC that is not yet signed for may be lost in a crash like any uncommitted
          // update: BOLT #2 has both sides forget it on reconnection. Its commit can wait.
          const addOnly = event.kind === 'command' && event.command.kind === 'add_htlc';
          if (event.kind !== 'message' && !addOnly) quiet = false;
          const rejected = result.effects.some((e) => e.kind === 'command_rejected');
          if (write && !rejected) (ch.pendingWrites ??= []).push(write);
          for (const eff of result.effects) {
            if (eff.kind === 'persist') changed = true;
            else if (eff.kind === 'htlc_received' || eff.kind === 'htlc_settled' || eff.kind === 'htlc_failed') {
              quiet = false;
              this.notify(ch, eff);
            } else {
              const unsigned = eff.kind === 'send_message' && eff.message.type === 'update_add_htlc';
              if (eff.kind !== 'log' && eff.kind !== 'watch_spend' && eff.kind !== 'watch_confirmations' && !unsigned) quiet = false;
              outward.push(eff);
            }
          }
          done.push({ resolve, effects: result.effects });
          // Sign once for everything gathered so far, as the batch's last step.
          if (inbox.length === 0 && this.needsSign(ch)) inbox.push({ event: { kind: 'command', command: { kind: 'sign' } }, resolve: () => {} });
        }
        if (changed || ch.pendingWrites?.length) {
          if (quiet && ch.state.name === 'Normal') this.persistLater(ch);
          else this.persistNow(ch);
        }
      })();
      for (const eff of outward) await this.execute(ch, eff);
      for (const d of done) d.resolve(d.effects);
    }
  }

  /** persistNow commits the channel's current state (and cancels a pending lazy commit). */
  private persistNow(ch: ChannelHandle): void {
    if (ch.flushTimer) clearTimeout(ch.flushTimer);
    ch.flushTimer = undefined;
    this.persist(ch, ch.state);
  }

  /** persistLater commits the state soon unless a batch that must commit comes first. */
  private persistLater(ch: ChannelHandle): void {
    if (ch.flushTimer) return;
    ch.flushTimer = setTimeout(() => {
      ch.flushTimer = undefined;
      try {
        this.persist(ch, ch.state);
      } catch (e) {
        this.o.log.warn('lazy channel commit failed', { error: (e as Error).message });
      }
    }, LAZY_COMMIT_MS);
    ch.flushTimer.unref();
  }

  /** flush commits every channel with a lazy commit pending (call before closing the store). */
  flush(): void {
    for (const ch of this.channels) if (ch.flushTimer) this.persistNow(ch);
  }

  /**
   * needsSign: our updates (or acknowledged ones of the peer) are waiting for a
   * commitment_signed and none is outstanding. Signing is queued behind other events, so
   * updates that arrive together share one signature.
   */
  private needsSign(ch: ChannelHandle): boolean {
    const c = commitmentsOf(ch.state);
    if (!c || c.connection !== 'up' || c.awaitingRevocation || c.remoteNextPoint === null) return false;
    if (ch.state.name !== 'Normal' && ch.state.name !== 'ShuttingDown') return false;
    return c.signPending || hasChangesForRemote(c);
  }

  /** peerOf is the channel's peer while it is connected and past init, else null. */
  peerOf(ch: ChannelHandle): Peer | null {
    const p = this.o.peers.peers.get(ch.peerId);
    return p && p.state === 'active' ? p : null;
  }

  /** notify hands an HTLC outcome to the payments layer, synchronously, inside the batch. */
  private notify(ch: ChannelHandle, eff: Extract<Effect, { kind: 'htlc_received' | 'htlc_settled' | 'htlc_failed' }>): void {
    // Records written with an earlier (lazily committed) step come first, e.g. a payment row
    // before its completion.
    for (const w of (ch.pendingWrites ?? []).splice(0)) w();
    if (eff.kind === 'htlc_received') this.listener?.htlcReceived(ch, eff);
    else if (eff.kind === 'htlc_settled') this.listener?.htlcSettled(ch, eff);
    else this.listener?.htlcFailed(ch, eff);
  }

  private async execute(ch: ChannelHandle, eff: Effect): Promise<void> {
    const log = this.o.log.child('channel', { channel: toHex(channelIdOf(ch.state)).slice(0, 16), peer: ch.peerId.slice(0, 16) });
    switch (eff.kind) {
      case 'persist':
        return; // done before anything else
      case 'send_message': {
        const p = this.peerOf(ch);
        if (!p) return; // channel_reestablish will retransmit what is needed
        if (ch.holdRevoke && eff.message.type === 'revoke_and_ack') {
          log.warn('developer: holding back revoke_and_ack');
          return;
        }
        await p.sendMsg(eff.message).catch((e: Error) => log.info('send failed', { error: e.message }));
        return;
      }
      case 'broadcast':
        if (eff.label === 'commitment') this.onCommitmentPublished?.(ch, eff.tx);
        try {
          // The wallet learns of its own spend (the funding transaction spends its coins).
          if (eff.label === 'funding') await this.o.onchain.wallet.broadcast(eff.tx);
          else await this.o.onchain.backend.broadcast(eff.tx);
          log.info('broadcast', { label: eff.label, txid: txidHex(eff.tx) });
          if (eff.label === 'funding') ch.fundingTxid = txidHex(eff.tx);
          if (eff.label === 'closing') this.resolve(ch, 'closed', { txid: txidHex(eff.tx), tx: toHex(serializeTx(eff.tx)) });
        } catch (e) {
          log.warn('broadcast failed', { label: eff.label, error: (e as Error).message });
        }
        return;
      case 'watch_spend':
      case 'watch_confirmations':
        // Confirmations are checked on every block in onBlock(); spends by the on-chain monitor.
        return;
      case 'build_funding_tx': {
        try {
          const funded = this.o.onchain.wallet.fundTransaction([{ script: eff.script, value: eff.amount }], eff.feeratePerKw);
          const idx = funded.outputIndexes[0];
          ch.fundingTxid = toHex(Uint8Array.from(funded.txid).reverse());
          void this.run(ch, { kind: 'funding_tx_built', tx: funded.tx, outputIndex: idx });
        } catch (e) {
          void this.run(ch, { kind: 'funding_tx_failed', reason: (e as Error).message });
        }
        return;
      }
      case 'fail_channel':
        log.warn('channel failed', { reason: new TextDecoder().decode(eff.error.data) });
        this.rejectAll(ch, `channel failed: ${new TextDecoder().decode(eff.error.data)}`);
        return;
      case 'htlc_received':
        this.listener?.htlcReceived(ch, eff);
        return;
      case 'htlc_settled':
        this.listener?.htlcSettled(ch, eff);
        return;
      case 'htlc_failed':
        this.listener?.htlcFailed(ch, eff);
        return;
      case 'command_rejected':
        log.info('command rejected', { command: eff.command, reason: eff.reason });
        this.reject(ch, eff.command, eff.reason);
        // A close waits for the closing transaction: a refused shutdown, or a negotiation
        // that cannot succeed, answers it now with the reason.
        if (eff.command === 'shutdown') this.reject(ch, 'closed', eff.reason);
        return;
      case 'channel_ready':
        log.info('channel ready', { scid: formatScid(eff.shortChannelId) });
        this.resolve(ch, 'ready', {});
        return;
      case 'disconnect':
        this.peerOf(ch)?.close(eff.reason);
        return;
      case 'log':
        log[eff.level](eff.message);
        return;
    }
  }

  private resolve(ch: ChannelHandle, kind: ChannelHandle['waiters'][number]['kind'], v: unknown): void {
    const [hit, rest] = [ch.waiters.filter((w) => w.kind === kind), ch.waiters.filter((w) => w.kind !== kind)];
    ch.waiters = rest;
    for (const w of hit) w.resolve(v);
  }

  private reject(ch: ChannelHandle, kind: ChannelHandle['waiters'][number]['kind'], reason: string): void {
    const [hit, rest] = [ch.waiters.filter((w) => w.kind === kind), ch.waiters.filter((w) => w.kind !== kind)];
    ch.waiters = rest;
    for (const w of hit) w.reject(new KiteError(ErrorCodes.FAILED, reason));
  }

  private rejectAll(ch: ChannelHandle, reason: string): void {
    const all = ch.waiters;
    ch.waiters = [];
    for (const w of all) w.reject(new KiteError(ErrorCodes.FAILED, reason));
  }

  private wait(ch: ChannelHandle, kind: ChannelHandle['waiters'][number]['kind'], timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        ch.waiters = ch.waiters.filter((w) => w.resolve !== res);
        reject(new KiteError(ErrorCodes.FAILED, `timed out waiting for ${kind}`));
      }, timeoutMs);
      const res = (v: unknown): void => {
        clearTimeout(t);
        resolve(v);
      };
      ch.waiters.push({ kind, resolve: res, reject: (e) => (clearTimeout(t), reject(e)) });
    });
  }

  /** onBlock re-reads the height and feeds funding confirmations to waiting channels. */
  private async onBlock(): Promise<void> {
    await this.refreshChainInputs();
    for (const ch of this.channels) {
      const s = ch.state;
      if (s.name === 'Normal' || s.name === 'ShuttingDown' || s.name === 'Negotiating') {
        const why = htlcDeadlinePassed(s.commitments, this.height);
        if (why) {
          this.o.log.warn('force-closing: an HTLC deadline passed', { channel: toHex(channelIdOf(s)).slice(0, 16), why });
          await this.run(ch, { kind: 'command', command: { kind: 'force_close' } });
          continue;
        }
      }
      if (s.name === 'Normal') {
        await this.updateFeeIfNeeded(ch);
        continue;
      }
      if (s.name === 'Negotiating') {
        // Closing negotiation times out in blocks (channel/close.ts).
        await this.run(ch, { kind: 'block' });
        continue;
      }
      if (s.name !== 'AwaitingFundingConfirmed' && s.name !== 'AwaitingChannelReady') continue;
      const c = s.commitments;
      const txid = toHex(Uint8Array.from(c.params.funding.txid).reverse());
      try {
        const info = (await this.o.onchain.rpc('getrawtransaction', [txid, true])) as { confirmations?: number; blockhash?: string };
        if (!info.confirmations || !info.blockhash) continue;
        const block = (await this.o.onchain.rpc('getblock', [info.blockhash, 1])) as { height: number; tx: string[] };
        const index = block.tx.indexOf(txid);
        const vout = c.params.funding.vout;
        const utxo = await this.o.onchain.backend.getUtxo({ txid: c.params.funding.txid, vout }, false).catch(() => null);
        const output = utxo ? { value: utxo.value, script: utxo.script } : null;
        await this.run(ch, { kind: 'funding_confirmed', depth: info.confirmations, shortChannelId: shortChannelId(block.height, index, vout), output });
      } catch (e) {
        this.o.log.debug('funding check failed', { txid, error: (e as Error).message });
      }
    }
  }

  /** onMessage routes a peer's channel message to its channel. */
  onMessage(peer: Peer, m: WireMessage): void {
    const peerId = toHex(peer.id);
    const msg = m as ChannelMessage & { channel_id?: Uint8Array; temporary_channel_id?: Uint8Array };
    if (msg.type === 'open_channel') {
      const keyIndex = this.nextKeyIndex() + BigInt(this.channels.filter((c) => c.dbid === 0).length);
      const ch: ChannelHandle = { dbid: 0, peerId, keyIndex, state: { name: 'Closed', channelId: new Uint8Array(32), reason: 'opening' }, queue: Promise.resolve(), waiters: [] };
      this.channels.push(ch);
      void this.run(ch, { kind: 'start', result: () => startFundee(msg as OpenChannel, keyIndex, this.env(keyIndex)) });
      return;
    }
    const id = msg.channel_id ?? msg.temporary_channel_id;
    if (!id) return;
    const all0 = id.every((b) => b === 0);
    const targets = this.channels.filter(
      (c) => c.peerId === peerId && (all0 ? msg.type === 'error' : equalBytes(channelIdOf(c.state), id) || equalBytes(temporaryIdOf(c.state) ?? new Uint8Array(0), id)),
    );
    if (targets.length === 0) {
      this.o.log.debug('message for an unknown channel', { type: msg.type, channel: toHex(id) });
      return;
    }
    for (const ch of targets) void this.run(ch, { kind: 'message', message: msg as ChannelMessage });
  }

  /** peerConnected tells every channel with this peer that the link is back. */
  peerConnected(peer: Peer): void {
    const peerId = toHex(peer.id);
    for (const ch of this.channels) if (ch.peerId === peerId && commitmentsOf(ch.state)) void this.run(ch, { kind: 'reconnected' });
  }

  /** peerDisconnected tells the channels the link is gone. */
  peerDisconnected(peerId: string): void {
    for (const ch of this.channels) if (ch.peerId === peerId && commitmentsOf(ch.state)) void this.run(ch, { kind: 'disconnected' });
  }

  /** fundChannel opens a channel as funder and waits for the funding broadcast. */
  async fundChannel(peerId: string, amount: Sat, pushMsat: Msat, announce: boolean): Promise<{ channel_id: string; txid: string; tx: string }> {
    const peer = this.o.peers.peers.get(peerId);
    if (!peer || peer.state !== 'active') throw new KiteError(ErrorCodes.PEER_NOT_CONNECTED, `peer ${peerId} is not connected`);
    const keyIndex = this.nextKeyIndex() + BigInt(this.channels.filter((c) => c.dbid === 0).length);
    const temporaryChannelId = randomBytes(32);
    const ch: ChannelHandle = { dbid: 0, peerId, keyIndex, state: { name: 'Closed', channelId: temporaryChannelId, reason: 'opening' }, queue: Promise.resolve(), waiters: [] };
    this.channels.push(ch);
    const opened = new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        const s = ch.state;
        if (s.name === 'AwaitingFundingConfirmed' || s.name === 'AwaitingChannelReady' || s.name === 'Normal') {
          clearInterval(t);
          resolve();
        } else if (s.name === 'Closed' && s.reason !== 'opening') {
          clearInterval(t);
          reject(new KiteError(ErrorCodes.FAILED, `channel open failed: ${s.reason}`));
        }
      }, 25);
      setTimeout(() => {
        clearInterval(t);
        reject(new KiteError(ErrorCodes.FAILED, 'timed out opening the channel'));
      }, 60_000);
    });
    await this.run(ch, {
      kind: 'start',
      result: () => startFunder({ kind: 'open', temporaryChannelId, fundingAmount: amount, pushAmount: pushMsat, channelKeyIndex: keyIndex, announce, anchors: true }, this.env(keyIndex)),
    });
    await opened;
    const c = commitmentsOf(ch.state)!;
    const fundingTx = 'fundingTx' in ch.state && ch.state.fundingTx ? ch.state.fundingTx : null;
    return {
      channel_id: toHex(c.params.channelId),
      txid: toHex(Uint8Array.from(c.params.funding.txid).reverse()),
      tx: fundingTx ? toHex(serializeTx(fundingTx)) : '',
    };
  }

  /**
   * command sends a command to a channel. `write`, when given and the command is accepted,
   * is committed in the same transaction as the channel state it leads to, before any
   * message that state enables.
   */
  async command(ch: ChannelHandle, command: Command, write?: () => void): Promise<void> {
    await this.run(ch, { kind: 'command', command }, write);
  }

  /**
   * tryCommand sends a command and returns why the machine refused it, or null when it was
   * accepted. Unlike waiting on `command_rejected` by kind, this names the one command.
   */
  async tryCommand(ch: ChannelHandle, command: Command, write?: () => void): Promise<string | null> {
    const effects = await this.run(ch, { kind: 'command', command }, write);
    const r = effects.find((e) => e.kind === 'command_rejected');
    return r && r.kind === 'command_rejected' ? r.reason : null;
  }

  /** close starts a cooperative close and waits for the closing transaction. */
  async close(ch: ChannelHandle, scriptPubkey: Uint8Array | undefined, range?: CloseFeerateRange, timeoutMs = 60_000): Promise<unknown> {
    if (range) ch.closeRange = range;
    const done = this.wait(ch, 'closed', timeoutMs);
    await this.run(ch, { kind: 'command', command: { kind: 'shutdown', scriptPubkey } });
    return done;
  }

  /**
   * forceClose publishes our latest commitment (unilateral close), connected or not, and
   * returns it. The channel fails with an `error` to the peer.
   */
  async forceClose(ch: ChannelHandle): Promise<{ txid: string; tx: string }> {
    const effects = await this.run(ch, { kind: 'command', command: { kind: 'force_close' } });
    const r = effects.find((e) => e.kind === 'command_rejected');
    if (r && r.kind === 'command_rejected') throw new KiteError(ErrorCodes.FAILED, `cannot force-close: ${r.reason}`);
    const b = effects.find((e) => e.kind === 'broadcast' && e.label === 'commitment');
    if (!b || b.kind !== 'broadcast') throw new KiteError(ErrorCodes.FAILED, 'cannot force-close: no commitment to publish');
    return { txid: txidHex(b.tx), tx: toHex(serializeTx(b.tx)) };
  }

  /** fundingSpent tells the channel machine its funding output was spent by a confirmed transaction. */
  async fundingSpent(ch: ChannelHandle, mutual: boolean): Promise<void> {
    await this.run(ch, { kind: 'funding_spent', mutual });
  }

  /**
   * htlcCapacity: the largest HTLC we can offer and the peer can offer now (spendable_msat,
   * receivable_msat), by the machine's own checks (channel/spendable.ts); zero unless the
   * channel is open for payments.
   */
  htlcCapacity(ch: ChannelHandle): { spendable: Msat; receivable: Msat } {
    const s = ch.state;
    if (s.name !== 'Normal') return { spendable: msat(0), receivable: msat(0) };
    const env = this.env(ch.keyIndex, ch);
    return { spendable: spendableMsat(s.commitments, env), receivable: receivableMsat(s.commitments, env) };
  }

  /** find locates a channel by channel id, short channel id, or peer id. */
  find(key: string): ChannelHandle | null {
    const live = this.channels.filter((c) => c.state.name !== 'Closed');
    if (/^[0-9a-f]{64}$/i.test(key)) return live.find((c) => toHex(channelIdOf(c.state)) === key.toLowerCase()) ?? null;
    if (/^0[23][0-9a-f]{64}$/i.test(key)) return live.find((c) => c.peerId === key.toLowerCase()) ?? null;
    if (/^\d+x\d+x\d+$/.test(key)) return live.find((c) => 'shortChannelId' in c.state && c.state.shortChannelId !== null && formatScid(c.state.shortChannelId) === key) ?? null;
    return null;
  }
}

/**
 * BOLT #2 deadlines: an HTLC we offered must be failed on chain once `cltv_expiry + G` has
 * passed without the peer removing it (G = 1 block), and one we received and fulfilled must
 * be claimed on chain before `cltv_expiry - 7` if the peer has not irrevocably accepted the
 * fulfill ("the fulfillment deadline"). Returns why the channel must be closed, or null.
 */
export const OFFERED_HTLC_GRACE = 1;
export const FULFILL_DEADLINE = 7;
export function htlcDeadlinePassed(c: Commitments, height: number): string | null {
  for (const h of c.htlcs) {
    if (h.direction === 'offered' && h.removal?.kind !== 'fulfill' && height >= h.cltvExpiry + OFFERED_HTLC_GRACE) {
      return `offered HTLC ${h.id} expired at ${h.cltvExpiry} (height ${height})`;
    }
    if (h.direction === 'received' && h.removal?.kind === 'fulfill' && height >= h.cltvExpiry - FULFILL_DEADLINE) {
      return `fulfilled HTLC ${h.id} not accepted by the peer before ${h.cltvExpiry - FULFILL_DEADLINE} (height ${height})`;
    }
  }
  return null;
}

export { txidOf, fromHex };
export type { Tx };
