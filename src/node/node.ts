/**
 * KiteNode: the composition root. It owns the data directory, the node key, sockets, timers
 * and the RPC surfaces, and binds each RPC method to the subsystem that answers it.
 */
import { join } from 'node:path';
import { toHex } from '../lib/bytes.ts';
import { KiteError } from '../lib/errors.ts';
import { getPublicKey, randomBytes } from '../crypto/index.ts';
import { kiteInitFeatures } from '../wire/features.ts';
import { METHODS } from '../rpc/methods.ts';
import { createDispatcher, type Dispatcher, type Handler } from '../rpc/dispatcher.ts';
import { startHttpRpc, startUnixRpc, type Closable } from '../rpc/server.ts';
import { RpcErrors } from '../rpc/errors.ts';
import type { NodeConfig } from './config.ts';
import type { Logger } from './log.ts';
import { chainHash } from './networks.ts';
import { loadOrCreateNodeSecret, loadOrCreateToken } from './secret.ts';
import { PeerManager } from './peers.ts';
import { noiseLinks } from './links.ts';
import { openOnChain, type OnChain } from './onchain.ts';
import { ChannelManager, type ChannelHandle, type CloseFeerateRange } from './channels.ts';
import { IRREVOCABLE_DEPTH, OnchainResolver } from './resolver.ts';
import { PaymentsManager } from './payments.ts';
import { addressToScript } from '../bitcoin/index.ts';
import { sat, msat } from '../lib/units.ts';
import { openDatabase, commitCount, NODE_MIGRATIONS, type Db } from '../store/sqlite/index.ts';
import { InvoiceBook, invoiceJson } from '../payments/index.ts';
import { fromHex } from '../lib/bytes.ts';
import type { Msat } from '../lib/units.ts';

const VERSION = '0.1.0';

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
  readonly dispatcher: Dispatcher;
  private closers: Closable[] = [];
  listenPort = 0;
  onchain: OnChain | null = null;
  channels: ChannelManager | null = null;
  resolver: OnchainResolver | null = null;
  payments: PaymentsManager | null = null;
  readonly db: Db;
  readonly invoices: InvoiceBook;
  httpPort = 0;
  /** Set by the daemon: what to do when `stop` is called over RPC. */
  onStopRequested: () => void = () => {};

  private constructor(
    readonly cfg: NodeConfig,
    readonly log: Logger,
    private readonly secret: Uint8Array,
    timings: NodeTimings,
  ) {
    this.nodeId = getPublicKey(secret);
    this.peers = new PeerManager({
      links: noiseLinks(secret, timings.handshakeTimeoutMs, log),
      peer: {
        chainHash: chainHash(cfg.network),
        localFeatures: kiteInitFeatures(),
        initTimeoutMs: timings.initTimeoutMs,
        pingIntervalMs: cfg.pingIntervalSec * 1000,
        pongTimeoutMs: timings.pongTimeoutMs,
        maxPingsPerMinute: timings.maxPingsPerMinute,
        now: () => Date.now(),
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
    this.invoices = new InvoiceBook({ db: this.db, network: cfg.network, nodeSecret: secret, now: () => Math.floor(Date.now() / 1000), random: randomBytes });
    this.dispatcher = createDispatcher(
      METHODS.filter((m) => !m.developer || this.cfg.developer),
      this.handlers(),
    );
  }

  /** start opens everything: peer listener, RPC socket, HTTP RPC. */
  static async start(cfg: NodeConfig, log: Logger, timings: NodeTimings = DEFAULT_TIMINGS): Promise<KiteNode> {
    const secret = loadOrCreateNodeSecret(cfg.dataDir);
    const node = new KiteNode(cfg, log, secret, timings);
    await node.open();
    return node;
  }

  private async open(): Promise<void> {
    this.onchain = await openOnChain(this.cfg, this.log.child('chain'));
    this.channels = new ChannelManager({
      db: this.db,
      nodeSecret: this.secret,
      chainHash: chainHash(this.cfg.network),
      network: this.cfg.network,
      peers: this.peers,
      onchain: this.onchain,
      log: this.log,
      config: {},
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
    const rpcPath = join(this.cfg.dataDir, 'kite-rpc');
    this.closers.push(await startUnixRpc(rpcPath, this.dispatcher, (e) => this.log.debug('rpc socket error', { error: String(e) })));
    if (this.cfg.httpHost) {
      const token = loadOrCreateToken(this.cfg.dataDir);
      const http = await startHttpRpc(this.cfg.httpHost, this.cfg.httpPort, token, this.dispatcher);
      this.httpPort = http.port;
      this.closers.push(http);
    }
    this.peers.reconnectKept();
    this.log.info('kited started', {
      id: toHex(this.nodeId),
      network: this.cfg.network,
      listen: `${this.cfg.bindHost}:${this.listenPort}`,
      rpc: rpcPath,
      http: this.cfg.httpHost ? `${this.cfg.httpHost}:${this.httpPort}` : 'off',
    });
  }

  async stop(): Promise<void> {
    this.payments?.stop();
    this.resolver?.stop();
    await this.peers.stop();
    for (const c of this.closers.reverse()) await c.close();
    this.closers = [];
    await this.onchain?.close();
    this.onchain = null;
    // Channel states only absorbed from peers may still wait for a lazy commit.
    this.channels?.flush();
    this.db.close();
  }

  private handlers(): Record<string, Handler> {
    return {
      getinfo: async () => ({
        id: toHex(this.nodeId),
        alias: this.cfg.alias,
        version: VERSION,
        network: this.cfg.network,
        num_peers: [...this.peers.peers.values()].filter((p) => p.state === 'active').length,
        binding: [{ type: 'ipv4', address: this.cfg.bindHost, port: this.listenPort }],
        our_features: { init: kiteInitFeatures().toHex() },
        'lightning-dir': this.cfg.dataDir,
        blockheight: this.onchain?.watcher.tip?.height ?? 0,
        chain: this.onchain?.describe,
        // Synchronous SQLite commits since start (bench/payments.bench.ts: commits per payment).
        store: { commits: commitCount(this.db) },
      }),
      connect: async (p) => this.connectCmd(String(p.id), p.host as string | undefined, p.port as number | undefined),
      listpeers: async (p) => ({
        peers: this.listPeers(p.id as string | undefined),
      }),
      disconnect: async (p) => {
        const id = String(p.id);
        if (!this.peers.disconnect(id)) throw new KiteError(RpcErrors.PEER_NOT_CONNECTED, `peer ${id} is not connected`);
        return {};
      },
      ping: async (p) => {
        const id = String(p.id);
        const peer = this.peers.peers.get(id);
        if (!peer || peer.state !== 'active') throw new KiteError(RpcErrors.PEER_NOT_CONNECTED, `peer ${id} is not connected`);
        const len = (p.len as number | undefined) ?? 128;
        if (len > 65531) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'len': at most 65531 (a larger num_pong_bytes asks for no pong)`);
        const r = await peer.ping(len, (p.pongbytes as number | undefined) ?? 128).catch((e: Error) => {
          throw new KiteError(RpcErrors.FAILED, `ping failed: ${e.message}`);
        });
        return { totlen: r.totlen, rtt_ms: r.rtt_ms };
      },
      decode: async (p) => {
        const { decodeInvoice, invoiceToJson } = await import('../invoice/index.ts');
        try {
          return invoiceToJson(decodeInvoice(String(p.string)));
        } catch (e) {
          throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid bolt11 invoice: ${(e as Error).message}`);
        }
      },
      newaddr: async (p) => this.chain().wallet.newAddress(String(p.addresstype ?? 'bech32')),
      listfunds: async () => ({ ...this.chain().wallet.listFunds(), resolutions: this.resolver?.pending() ?? [] }),
      withdraw: async (p) => {
        const r = await this.chain().wallet.withdraw(String(p.destination), p.satoshi as bigint | 'all', p.feerate as string | undefined);
        return { tx: r.tx, txid: r.txid, fee_sat: r.fee };
      },
      generate: async (p) => {
        const oc = this.regtestOnly('generate');
        const blocks = p.blocks as number;
        if (blocks < 1 || blocks > 1000) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'blocks': expected 1 to 1000, got ${blocks}`);
        const address = (p.address as string | undefined) ?? oc.wallet.newAddress().bech32;
        const hashes = (await oc.rpc('generatetoaddress', [blocks, address]).catch((e: Error) => {
          throw new KiteError(RpcErrors.FAILED, `generate failed: ${e.message}`);
        })) as string[];
        await oc.watcher.poll();
        return { blocks: hashes, address };
      },
      faucet: async (p) => {
        const oc = this.regtestOnly('faucet');
        const address = (p.address as string | undefined) ?? oc.wallet.newAddress().bech32;
        const sats = p.satoshi as number;
        if (sats < 1000) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'satoshi': at least 1000`);
        const txid = await oc.rpc('kite_faucet', [address, sats / 1e8]).catch((e: Error) => {
          throw new KiteError(RpcErrors.FAILED, `faucet failed (is the chain kite-chain or embedded?): ${e.message}`);
        });
        await oc.watcher.poll();
        return { txid, address, amount_sat: sats };
      },
      invoice: async (p) => {
        const r = this.invoices.create({
          amountMsat: p.amount_msat === 'any' ? null : (p.amount_msat as Msat),
          label: String(p.label),
          description: String(p.description),
          expirySeconds: p.expiry as number | undefined,
          preimage: p.preimage === undefined ? undefined : fromHex(String(p.preimage)),
        });
        return { bolt11: r.bolt11, payment_hash: toHex(r.paymentHash), payment_secret: toHex(r.paymentSecret), expires_at: r.expiresAt };
      },
      listinvoices: async (p) => ({
        invoices: (p.label !== undefined ? [this.invoices.get(String(p.label))].filter((x) => x !== null) : this.invoices.list()).map(invoiceJson),
      }),
      waitinvoice: async (p) => invoiceJson(await this.invoices.waitFor(String(p.label))),
      fundchannel: async (p) => {
        const ch = this.chans();
        const r = await ch.fundChannel(String(p.id), sat(p.amount as number), msat((p.push_msat as number | undefined) ?? 0), (p.announce as boolean | undefined) ?? true);
        return r;
      },
      listpeerchannels: async (p) => ({
        channels: this.chans()
          .channels.filter((c) => (p.id === undefined || c.peerId === p.id) && !this.forgotten(c))
          .map((c) => this.channelJson(c)),
      }),
      listclosedchannels: async (p) => ({
        closedchannels: this.chans()
          .channels.filter((c) => (p.id === undefined || c.peerId === p.id) && (c.state.name === 'Closed' || !!this.resolver?.closeOf(c)?.resolvedHeight))
          .map((c) => this.channelJson(c)),
      }),
      pay: async (p) => this.pays().pay(String(p.bolt11), p.amount_msat === undefined ? undefined : msat(p.amount_msat as number)),
      listpays: async (p) => ({ pays: this.pays().list(p.bolt11 as string | undefined) }),
      close: async (p) => {
        const ch = this.chans().find(String(p.id));
        if (!ch) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': no open channel matches '${p.id}'`);
        if (p.force === true) {
          if (p.destination !== undefined || p.feerate_range !== undefined) {
            throw new KiteError(RpcErrors.INVALID_PARAMS, "invalid parameter 'force': a unilateral close takes no destination or feerate_range");
          }
          const r = await this.chans().forceClose(ch);
          return { type: 'unilateral', txid: r.txid, tx: r.tx };
        }
        let script: Uint8Array | undefined;
        if (p.destination !== undefined) {
          try {
            script = addressToScript(String(p.destination), this.cfg.network);
          } catch (e) {
            throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'destination': ${(e as Error).message}`);
          }
        }
        let range: CloseFeerateRange | undefined;
        if (p.feerate_range !== undefined) {
          const parts = String(p.feerate_range).split(',');
          if (parts.length !== 2) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'feerate_range': expected MIN,MAX (e.g. 253perkw,5000perkw), got '${p.feerate_range}'`);
          const [minPerKw, maxPerKw] = await Promise.all(
            parts.map((x) =>
              this.chain()
                .wallet.resolveFeerate(/^\d+$/.test(x.trim()) ? Number(x.trim()) : x.trim())
                .catch((e: Error) => {
                  throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'feerate_range': ${e.message}`);
                }),
            ),
          );
          if (minPerKw! > maxPerKw!) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'feerate_range': minimum ${minPerKw} above maximum ${maxPerKw}`);
          range = { minPerKw: minPerKw!, maxPerKw: maxPerKw! };
        }
        const r = (await this.chans().close(ch, script, range)) as { txid: string; tx: string };
        return { type: 'mutual', txid: r.txid, tx: r.tx };
      },
      'dev-publish-revoked': async (p) => {
        const ch = this.chans().find(String(p.id));
        if (!ch) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': no open channel matches '${p.id}'`);
        return this.chans().devPublishRevoked(ch, p.number as number | undefined, p.htlcs === true);
      },
      'dev-hold-revoke': async (p) => {
        const ch = this.chans().find(String(p.id));
        if (!ch) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': no open channel matches '${p.id}'`);
        const hold = p.hold !== false;
        const wasHeld = !!ch.holdRevoke;
        ch.holdRevoke = hold;
        // What was held back is retransmitted by channel_reestablish: reconnect to release it.
        if (wasHeld && !hold) this.peers.peers.get(ch.peerId)?.close('developer: releasing held revoke_and_ack');
        return { id: String(p.id), hold };
      },
      'dev-hold-htlcs': async (p) => {
        const hold = p.hold !== false;
        const n = this.pays().setHoldFulfills(hold);
        return hold ? { hold, held: n } : { hold, released: n };
      },
      'dev-feerate': async (p) => {
        const ch = this.chans().find(String(p.id));
        if (!ch) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': no open channel matches '${p.id}'`);
        const feerate = p.feerate as number;
        await this.chans().setFeerate(ch, feerate);
        return { id: String(p.id), feerate };
      },
      stop: async () => {
        setImmediate(() => this.onStopRequested());
        return { result: 'Shutdown complete' };
      },
    };
  }

  /** forgotten: resolved on chain long enough ago (Core Lightning forgets channels 100 blocks after). */
  private forgotten(ch: ChannelHandle): boolean {
    const r = this.resolver?.closeOf(ch)?.resolvedHeight;
    return r !== undefined && r !== null && (this.onchain?.watcher.tip?.height ?? 0) >= r + IRREVOCABLE_DEPTH;
  }

  /** channelJson is listpeerchannels' view of a channel, with how it ended on chain if it did. */
  private channelJson(ch: ChannelHandle): Record<string, unknown> {
    const j = this.chans().json(ch);
    const close = this.resolver?.closeOf(ch);
    if (close) {
      // Core Lightning's names: FUNDING_SPEND_SEEN, then ONCHAIN until resolved, then CLOSED.
      j.state = close.resolvedHeight !== null ? 'CLOSED' : close.height === null ? 'FUNDING_SPEND_SEEN' : 'ONCHAIN';
      j.close = { kind: close.kind, txid: close.txid, height: close.height ?? undefined, resolved_height: close.resolvedHeight ?? undefined };
    }
    return j;
  }

  private chans(): ChannelManager {
    if (!this.channels) throw new KiteError(RpcErrors.FAILED, 'channels are not available');
    return this.channels;
  }

  private pays(): PaymentsManager {
    if (!this.payments) throw new KiteError(RpcErrors.FAILED, 'payments are not available');
    return this.payments;
  }

  private chain(): OnChain {
    if (!this.onchain) throw new KiteError(RpcErrors.FAILED, 'the chain backend is not available');
    return this.onchain;
  }

  private regtestOnly(cmd: string): OnChain {
    if (this.cfg.network !== 'regtest') throw new KiteError(RpcErrors.FAILED, `${cmd} exists only on regtest`);
    return this.chain();
  }

  private async connectCmd(idArg: string, host?: string, port?: number): Promise<unknown> {
    const m = /^(0[23][0-9a-fA-F]{64})(?:@(\[[^\]]+\]|[^:]+)(?::(\d+))?)?$/.exec(idArg);
    if (!m) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': expected node_id or node_id@host[:port], got ${JSON.stringify(idArg)}`);
    const id = m[1].toLowerCase();
    const h = (m[2] ?? host)?.replace(/^\[|\]$/g, '');
    const prt = m[3] !== undefined ? Number(m[3]) : (port ?? 9735);
    if (!h) throw new KiteError(RpcErrors.CONNECT_NO_KNOWN_ADDRESS, `no address known for ${id}: give node_id@host:port`);
    if (prt < 1 || prt > 65535) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'port': expected 1-65535, got ${prt}`);
    if (id === toHex(this.nodeId)) throw new KiteError(RpcErrors.INVALID_PARAMS, 'cannot connect to ourselves');
    try {
      const peer = await this.peers.connect(id, h, prt);
      return { id, features: peer.remoteFeatures?.toHex() ?? '', direction: 'out', address: { type: net4or6(h), address: h, port: prt } };
    } catch (e) {
      throw new KiteError(RpcErrors.CONNECT_ALL_ADDRESSES_FAILED, `connection to ${id}@${h}:${prt} failed: ${(e as Error).message}`);
    }
  }

  private listPeers(only?: string): unknown[] {
    const out: unknown[] = [];
    const ids = new Set<string>([...this.peers.peers.keys(), ...this.peers.keptPeers().map((k) => k.id)]);
    for (const id of ids) {
      if (only && id !== only) continue;
      const p = this.peers.peers.get(id);
      const kept = this.peers.keptPeers().find((k) => k.id === id);
      const connected = p?.state === 'active';
      out.push({
        id,
        connected,
        num_channels: this.channels?.channels.filter((c) => c.peerId === id && c.state.name !== 'Closed').length ?? 0,
        netaddr: p ? [`${p.link.remoteAddress}:${p.link.remotePort}`] : kept ? [`${kept.host}:${kept.port}`] : [],
        features: connected ? p!.remoteFeatures!.toHex() : undefined,
        direction: p ? (p.outbound ? 'out' : 'in') : undefined,
        reconnect: !!kept,
      });
    }
    return out;
  }

  /** nodeIdHex is the node id as hex, for logs and tests. */
  get idHex(): string {
    return toHex(this.nodeId);
  }
}

function net4or6(h: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) ? 'ipv4' : h.includes(':') ? 'ipv6' : 'dns';
}

