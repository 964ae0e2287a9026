/**
 * The RPC surface of a node: every method of `methods.ts` bound to the `KiteNode` subsystem
 * that answers it, and the transports (unix socket, optional HTTP) that carry the calls.
 * The node itself knows nothing of RPC; the daemon puts this surface on top of it.
 */
import { join } from 'node:path';
import { toHex, fromHex } from '../lib/bytes.ts';
import { KiteError } from '../lib/errors.ts';
import { sat, msat, type Msat } from '../lib/units.ts';
import { addressToScript } from '../bitcoin/index.ts';
import { kiteInitFeatures } from '../wire/features.ts';
import { invoiceJson } from '../payments/index.ts';
import { commitCount } from '../store/sqlite/index.ts';
import type { KiteNode } from '../node/node.ts';
import type { OnChain } from '../node/onchain.ts';
import type { ChannelManager, ChannelHandle, CloseFeerateRange } from '../node/channels.ts';
import type { PaymentsManager } from '../node/payments.ts';
import { IRREVOCABLE_DEPTH } from '../node/resolver.ts';
import { loadOrCreateToken } from '../node/secret.ts';
import { METHODS } from './methods.ts';
import { createDispatcher, type Dispatcher, type Handler } from './dispatcher.ts';
import { startHttpRpc, startUnixRpc, type Closable } from './server.ts';
import { RpcErrors } from './errors.ts';
import { channelView } from './views.ts';

export const VERSION = '0.1.0';

/** The RPC surfaces a daemon runs for one node, and how to close them. */
export interface NodeRpcSurfaces extends Closable {
  readonly dispatcher: Dispatcher;
  /** The unix socket's path. */
  readonly socketPath: string;
  /** The HTTP RPC's port, or 0 when it is off. */
  readonly httpPort: number;
}

/**
 * startNodeRpc opens the node's RPC: the unix socket `<data-dir>/kite-rpc` always, and the
 * token-guarded HTTP RPC when the configuration names an address for it.
 */
export async function startNodeRpc(node: KiteNode, onStop: () => void): Promise<NodeRpcSurfaces> {
  const rpc = new NodeRpc(node, onStop);
  const dispatcher = createDispatcher(
    METHODS.filter((m) => !m.developer || node.cfg.developer),
    rpc.handlers(),
  );
  const closers: Closable[] = [];
  const socketPath = join(node.cfg.dataDir, 'kite-rpc');
  closers.push(await startUnixRpc(socketPath, dispatcher, (e) => node.log.debug('rpc socket error', { error: String(e) })));
  let httpPort = 0;
  if (node.cfg.httpHost) {
    const token = loadOrCreateToken(node.cfg.dataDir);
    const http = await startHttpRpc(node.cfg.httpHost, node.cfg.httpPort, token, dispatcher).catch(async (e: Error) => {
      for (const c of closers) await c.close();
      throw e;
    });
    httpPort = http.port;
    closers.push(http);
  }
  return {
    dispatcher,
    socketPath,
    httpPort,
    async close() {
      for (const c of closers.reverse()) await c.close();
      closers.length = 0;
    },
  };
}

/** NodeRpc answers RPC methods from a node's public parts. */
export class NodeRpc {
  constructor(
    private readonly node: KiteNode,
    private readonly onStop: () => void,
  ) {}

  /** handlers binds every RPC method to the subsystem of the node that answers it. */
  handlers(): Record<string, Handler> {
    return {
      getinfo: async () => ({
        id: toHex(this.node.nodeId),
        alias: this.node.cfg.alias,
        version: VERSION,
        network: this.node.cfg.network,
        num_peers: [...this.node.peers.peers.values()].filter((p) => p.state === 'active').length,
        binding: [{ type: 'ipv4', address: this.node.cfg.bindHost, port: this.node.listenPort }],
        our_features: { init: kiteInitFeatures().toHex() },
        'lightning-dir': this.node.cfg.dataDir,
        blockheight: this.node.onchain?.watcher.tip?.height ?? 0,
        chain: this.node.onchain?.describe,
        // Synchronous SQLite commits since start (bench/payments.bench.ts: commits per payment).
        store: { commits: commitCount(this.node.db) },
      }),
      connect: async (p) => this.connectCmd(String(p.id), p.host as string | undefined, p.port as number | undefined),
      listpeers: async (p) => ({
        peers: this.listPeers(p.id as string | undefined),
      }),
      disconnect: async (p) => {
        const id = String(p.id);
        if (!this.node.peers.disconnect(id)) throw new KiteError(RpcErrors.PEER_NOT_CONNECTED, `peer ${id} is not connected`);
        return {};
      },
      ping: async (p) => {
        const id = String(p.id);
        const peer = this.node.peers.peers.get(id);
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
      listfunds: async () => ({ ...this.chain().wallet.listFunds(), resolutions: this.node.resolver?.pending() ?? [] }),
      withdraw: async (p) => {
        const r = await this.chain().wallet.withdraw(String(p.destination), p.satoshi as bigint | 'all', p.feerate as string | undefined);
        return { tx: r.tx, txid: r.txid, fee_sat: r.fee };
      },
      generate: async (p) => {
        const oc = this.regtestOnly('generate');
        const blocks = p.blocks as number;
        if (blocks < 1 || blocks > 1000) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'blocks': expected 1 to 1000, got ${blocks}`);
        const address = (p.address as string | undefined) ?? oc.wallet.newAddress().bech32;
        const hashes = (await oc.regtest!.generate(blocks, address).catch((e: Error) => {
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
        const txid = await oc.regtest!.faucet(address, sats / 1e8).catch((e: Error) => {
          throw new KiteError(RpcErrors.FAILED, `faucet failed (is the chain kite-chain or embedded?): ${e.message}`);
        });
        await oc.watcher.poll();
        return { txid, address, amount_sat: sats };
      },
      invoice: async (p) => {
        const r = this.node.invoices.create({
          amountMsat: p.amount_msat === 'any' ? null : (p.amount_msat as Msat),
          label: String(p.label),
          description: String(p.description),
          expirySeconds: p.expiry as number | undefined,
          preimage: p.preimage === undefined ? undefined : fromHex(String(p.preimage)),
        });
        return { bolt11: r.bolt11, payment_hash: toHex(r.paymentHash), payment_secret: toHex(r.paymentSecret), expires_at: r.expiresAt };
      },
      listinvoices: async (p) => ({
        invoices: (p.label !== undefined ? [this.node.invoices.get(String(p.label))].filter((x) => x !== null) : this.node.invoices.list()).map(invoiceJson),
      }),
      waitinvoice: async (p) => invoiceJson(await this.node.invoices.waitFor(String(p.label))),
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
          .channels.filter((c) => (p.id === undefined || c.peerId === p.id) && (c.state.name === 'Closed' || !!this.node.resolver?.closeOf(c)?.resolvedHeight))
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
            script = addressToScript(String(p.destination), this.node.cfg.network);
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
        if (wasHeld && !hold) this.node.peers.peers.get(ch.peerId)?.close('developer: releasing held revoke_and_ack');
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
        setImmediate(() => this.onStop());
        return { result: 'Shutdown complete' };
      },
    };
  }

  /** forgotten: resolved on chain long enough ago (Core Lightning forgets channels 100 blocks after). */
  private forgotten(ch: ChannelHandle): boolean {
    const r = this.node.resolver?.closeOf(ch)?.resolvedHeight;
    return r !== undefined && r !== null && (this.node.onchain?.watcher.tip?.height ?? 0) >= r + IRREVOCABLE_DEPTH;
  }

  /** channelJson is listpeerchannels' view of a channel, with how it ended on chain if it did. */
  private channelJson(ch: ChannelHandle): Record<string, unknown> {
    const j = channelView(this.chans(), ch);
    const close = this.node.resolver?.closeOf(ch);
    if (close) {
      // Core Lightning's names: FUNDING_SPEND_SEEN, then ONCHAIN until resolved, then CLOSED.
      j.state = close.resolvedHeight !== null ? 'CLOSED' : close.height === null ? 'FUNDING_SPEND_SEEN' : 'ONCHAIN';
      j.close = { kind: close.kind, txid: close.txid, height: close.height ?? undefined, resolved_height: close.resolvedHeight ?? undefined };
    }
    return j;
  }

  private chans(): ChannelManager {
    if (!this.node.channels) throw new KiteError(RpcErrors.FAILED, 'channels are not available');
    return this.node.channels;
  }

  private pays(): PaymentsManager {
    if (!this.node.payments) throw new KiteError(RpcErrors.FAILED, 'payments are not available');
    return this.node.payments;
  }

  private chain(): OnChain {
    if (!this.node.onchain) throw new KiteError(RpcErrors.FAILED, 'the chain backend is not available');
    return this.node.onchain;
  }

  private regtestOnly(cmd: string): OnChain {
    const oc = this.chain();
    if (this.node.cfg.network !== 'regtest' || !oc.regtest) throw new KiteError(RpcErrors.FAILED, `${cmd} exists only on regtest`);
    return oc;
  }

  private async connectCmd(idArg: string, host?: string, port?: number): Promise<unknown> {
    const m = /^(0[23][0-9a-fA-F]{64})(?:@(\[[^\]]+\]|[^:]+)(?::(\d+))?)?$/.exec(idArg);
    if (!m) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'id': expected node_id or node_id@host[:port], got ${JSON.stringify(idArg)}`);
    const id = m[1].toLowerCase();
    const h = (m[2] ?? host)?.replace(/^\[|\]$/g, '');
    const prt = m[3] !== undefined ? Number(m[3]) : (port ?? 9735);
    if (!h) throw new KiteError(RpcErrors.CONNECT_NO_KNOWN_ADDRESS, `no address known for ${id}: give node_id@host:port`);
    if (prt < 1 || prt > 65535) throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter 'port': expected 1-65535, got ${prt}`);
    if (id === toHex(this.node.nodeId)) throw new KiteError(RpcErrors.INVALID_PARAMS, 'cannot connect to ourselves');
    try {
      const peer = await this.node.peers.connect(id, h, prt);
      return { id, features: peer.remoteFeatures?.toHex() ?? '', direction: 'out', address: { type: net4or6(h), address: h, port: prt } };
    } catch (e) {
      throw new KiteError(RpcErrors.CONNECT_ALL_ADDRESSES_FAILED, `connection to ${id}@${h}:${prt} failed: ${(e as Error).message}`);
    }
  }

  private listPeers(only?: string): unknown[] {
    const out: unknown[] = [];
    const ids = new Set<string>([...this.node.peers.peers.keys(), ...this.node.peers.keptPeers().map((k) => k.id)]);
    for (const id of ids) {
      if (only && id !== only) continue;
      const p = this.node.peers.peers.get(id);
      const kept = this.node.peers.keptPeers().find((k) => k.id === id);
      const connected = p?.state === 'active';
      out.push({
        id,
        connected,
        num_channels: this.node.channels?.channels.filter((c) => c.peerId === id && c.state.name !== 'Closed').length ?? 0,
        netaddr: p ? [`${p.link.remoteAddress}:${p.link.remotePort}`] : kept ? [`${kept.host}:${kept.port}`] : [],
        features: connected ? p!.remoteFeatures!.toHex() : undefined,
        direction: p ? (p.outbound ? 'out' : 'in') : undefined,
        reconnect: !!kept,
      });
    }
    return out;
  }
}

function net4or6(h: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) ? 'ipv4' : h.includes(':') ? 'ipv6' : 'dns';
}

