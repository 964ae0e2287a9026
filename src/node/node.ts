/**
 * KiteNode: the composition root. It owns the data directory, the node key, sockets and
 * timers, and wires the subsystems together. Its RPC surface sits above it, in `rpc/`.
 */
import { join } from 'node:path';
import { toHex } from '../lib/bytes.ts';
import { getPublicKey, randomBytes } from '../crypto/index.ts';
import { kiteInitFeatures } from '../wire/features.ts';
import type { NodeConfig } from './config.ts';
import type { Logger } from './log.ts';
import { chainHash } from './networks.ts';
import { loadOrCreateNodeSecret } from './secret.ts';
import { PeerManager } from './peers.ts';
import { noiseLinks } from './links.ts';
import { openOnChain, type OnChain } from './onchain.ts';
import { ChannelManager } from './channels.ts';
import { OnchainResolver } from './resolver.ts';
import { sat } from '../lib/units.ts';
import { PaymentsManager } from './payments.ts';
import { openDatabase, NODE_MIGRATIONS, type Db } from '../store/sqlite/index.ts';
import { InvoiceBook } from '../payments/index.ts';
import { SqliteInvoiceStore } from '../store/sqlite/invoice-store.ts';
import { systemClock, unixSeconds, type Clock } from './clock.ts';
import { EventBus } from './events.ts';
import { hashToHex } from '../chain/interfaces.ts';

/** What a node's home injects; the daemon passes none of it (wall clock, files, TCP). */
export interface NodeDeps {
  /** The clock and timers (default: systemClock). */
  clock?: Clock;
  /** The event bus (default: a new one). */
  events?: EventBus;
}

/** Timing knobs; tests shorten them. */
export interface NodeTimings {
  handshakeTimeoutMs: number;
  initTimeoutMs: number;
  pongTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  maxPingsPerMinute: number;
}

export const DEFAULT_TIMINGS: NodeTimings = {
  handshakeTimeoutMs: 10_000,
  initTimeoutMs: 30_000,
  pongTimeoutMs: 30_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 300_000,
  maxPingsPerMinute: 30,
};

export class KiteNode {
  readonly nodeId: Uint8Array;
  readonly peers: PeerManager;
  listenPort = 0;
  onchain: OnChain | null = null;
  channels: ChannelManager | null = null;
  resolver: OnchainResolver | null = null;
  payments: PaymentsManager | null = null;
  readonly db: Db;
  readonly invoices: InvoiceBook;
  /** The node's one clock and timer service. */
  readonly clock: Clock;
  /** The node's one event bus: peer, channel, HTLC, payment, invoice, chain events. */
  readonly events: EventBus;
  private unsubscribeChain: () => void = () => {};

  private constructor(
    readonly cfg: NodeConfig,
    readonly log: Logger,
    private readonly secret: Uint8Array,
    timings: NodeTimings,
    deps: NodeDeps = {},
  ) {
    this.nodeId = getPublicKey(secret);
    this.clock = deps.clock ?? systemClock;
    this.events = deps.events ?? new EventBus();
    this.events.onSubscriberError = (e, ev) => log.warn('event subscriber threw', { event: ev.type, error: String(e) });
    const clock = this.clock;
    this.peers = new PeerManager({
      clock,
      events: this.events,
      links: noiseLinks(secret, timings.handshakeTimeoutMs, log),
      peer: {
        chainHash: chainHash(cfg.network),
        localFeatures: kiteInitFeatures(),
        initTimeoutMs: timings.initTimeoutMs,
        pingIntervalMs: cfg.pingIntervalSec * 1000,
        pongTimeoutMs: timings.pongTimeoutMs,
        maxPingsPerMinute: timings.maxPingsPerMinute,
        now: () => clock.now(),
        random: randomBytes,
        devDisconnectAfterChannelMsgs: cfg.devDisconnectAfterChannelMsgs ?? undefined,
        devDisconnectDirection: cfg.devDisconnectDirection,
      },
      log,
      dataDir: cfg.dataDir,
      // --dev-reconnect-ms shortens the redial backoff (base, and a cap of 1 s) for tests.
      reconnectBaseMs: cfg.devReconnectMs ?? timings.reconnectBaseMs,
      reconnectMaxMs: cfg.devReconnectMs === null ? timings.reconnectMaxMs : Math.max(cfg.devReconnectMs, 1000),
    });
    this.db = openDatabase(join(cfg.dataDir, 'kite.sqlite3'), NODE_MIGRATIONS);
    this.invoices = new InvoiceBook({
      store: new SqliteInvoiceStore(this.db),
      network: cfg.network,
      nodeSecret: secret,
      now: () => unixSeconds(clock),
      random: randomBytes,
      schedule: (ms, fn) => {
        const h = clock.after(ms, fn);
        return () => clock.cancel(h);
      },
    });
  }

  /** start opens everything: peer listener, RPC socket, HTTP RPC. */
  static async start(cfg: NodeConfig, log: Logger, timings: NodeTimings = DEFAULT_TIMINGS, deps: NodeDeps = {}): Promise<KiteNode> {
    const secret = loadOrCreateNodeSecret(cfg.dataDir);
    const node = new KiteNode(cfg, log, secret, timings, deps);
    await node.open();
    return node;
  }

  private async open(): Promise<void> {
    this.onchain = await openOnChain(this.cfg, this.log.child('chain'));
    const events = this.events;
    this.unsubscribeChain = this.onchain.watcher.subscribe((e) => {
      if (e.type === 'block_connected') events.emit('block_connected', { height: e.block.height, hash: hashToHex(e.block.hash) });
      else if (e.type === 'block_disconnected') events.emit('block_disconnected', { height: e.height, hash: hashToHex(e.hash) });
    });
    // TODO(lead, after the channels/payments/resolver merge): pass `clock: this.clock, events:
    // this.events` in the options of ChannelManager, PaymentsManager and OnchainResolver below
    // (their option types do not accept them yet).
    this.channels = new ChannelManager({
      db: this.db,
      nodeSecret: this.secret,
      chainHash: chainHash(this.cfg.network),
      network: this.cfg.network,
      peers: this.peers,
      onchain: this.onchain,
      log: this.log,
      // Developer switches that stage Core Lightning's closing behaviour in tests.
      config: {
        ...(this.cfg.devClosingFeeSat !== null ? { closingFeeRange: { min: sat(this.cfg.devClosingFeeSat), max: sat(this.cfg.devClosingFeeSat) } } : {}),
        ...(this.cfg.devEarlyClosingSigned ? { devEarlyClosingSigned: true } : {}),
      },
      developer: this.cfg.developer,
    });
    this.payments = new PaymentsManager({
      db: this.db,
      channels: this.channels,
      invoices: this.invoices,
      nodeSecret: this.secret,
      network: this.cfg.network,
      height: () => this.onchain?.watcher.tip?.height ?? 0,
      log: this.log.child('pay'),
    });
    this.channels.listener = this.payments;
    this.resolver = new OnchainResolver({
      db: this.db,
      log: this.log.child('onchain'),
      onchain: this.onchain,
      channels: this.channels,
      network: this.cfg.network,
      preimageFor: (h) => {
        const inv = this.invoices.byHash(h);
        return inv && inv.status === 'paid' ? inv.preimage : null;
      },
    });
    this.resolver.listener = this.payments;
    const resolver = this.resolver;
    this.channels.onCommitmentPublished = (ch, tx) => void resolver.ownCommitmentPublished(ch, tx);
    await this.channels.start();
    await this.resolver.start();
    const channels = this.channels;
    this.peers.onMessage = (peer, m) => channels.onMessage(peer, m);
    this.peers.onPeerReady = (peer) => channels.peerConnected(peer);
    this.peers.onPeerClosed = (id) => channels.peerDisconnected(id);
    this.listenPort = await this.peers.listen(this.cfg.bindHost, this.cfg.bindPort);
    this.peers.reconnectKept();
    this.log.info('node started', {
      id: toHex(this.nodeId),
      network: this.cfg.network,
      listen: `${this.cfg.bindHost}:${this.listenPort}`,
    });
  }

  async stop(): Promise<void> {
    this.unsubscribeChain();
    this.payments?.stop();
    this.resolver?.stop();
    await this.peers.stop();
    await this.onchain?.close();
    this.onchain = null;
    // Channel states only absorbed from peers may still wait for a lazy commit.
    this.channels?.flush();
    this.db.close();
  }

  /** nodeIdHex is the node id as hex, for logs and tests. */
  get idHex(): string {
    return toHex(this.nodeId);
  }
}
