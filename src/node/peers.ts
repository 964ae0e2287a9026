/**
 * The peer manager: listens for peers, dials them, keeps the ones it was told to keep
 * (reconnecting with exponential backoff, remembered across restarts in `peers.json`), and
 * routes their messages to the node.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import type { WireMessage } from '../wire/index.ts';
import type { Logger } from './log.ts';
import { Peer, type MessageLink, type PeerOptions } from './peer.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { EventBus } from './events.ts';

/** A listening LinkFactory: the bound port, and how to stop (dropping unfinished handshakes). */
export interface LinkListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * LinkFactory makes authenticated links (BOLT 8): it dials, and it listens and accepts,
 * handing over only links whose handshake completed. Sockets never leave it.
 */
export interface LinkFactory {
  dial(host: string, port: number, remotePubkey: Uint8Array): Promise<MessageLink>;
  listen(host: string, port: number, onLink: (link: MessageLink) => void): Promise<LinkListener>;
}

export interface KeptPeer {
  id: string;
  host: string;
  port: number;
}

export interface PeerManagerOptions {
  links: LinkFactory;
  peer: Omit<PeerOptions, 'log'>;
  log: Logger;
  /** Where kept peers are remembered; null keeps them in memory only. */
  dataDir: string | null;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** The node's clock and timers (default: the wall clock); also handed to each Peer. */
  clock?: Clock;
  /** Where peer_connected / peer_disconnected are published. */
  events?: EventBus;
}

export class PeerManager {
  readonly peers = new Map<string, Peer>();
  private kept = new Map<string, KeptPeer & { attempt: number; timer: TimerHandle | null }>();
  private readonly clock: Clock;
  private listener: LinkListener | null = null;
  private stopped = false;
  /** Called for every message a peer hands to the node. */
  onMessage: (peer: Peer, m: WireMessage) => void = () => {};
  onPeerReady: (peer: Peer) => void = () => {};
  onPeerClosed: (id: string) => void = () => {};

  constructor(readonly opts: PeerManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    for (const k of this.loadKept()) this.kept.set(k.id, { ...k, attempt: 0, timer: null });
  }

  /** listen accepts peers on host:port; returns the bound port. */
  async listen(host: string, port: number): Promise<number> {
    this.listener = await this.opts.links.listen(host, port, (link) => {
      if (this.stopped) return link.close('shutting down');
      this.attach(link, false).catch(() => {});
    });
    return this.listener.port;
  }

  /** reconnectKept dials every kept peer (at start). */
  reconnectKept(): void {
    for (const k of this.kept.values()) this.scheduleReconnect(k.id, 0);
  }

  private async attach(link: MessageLink, outbound: boolean): Promise<Peer> {
    const id = toHex(link.remotePubkey);
    const old = this.peers.get(id);
    // BOLT #1 leaves duplicate connections to the implementation; like the others we keep
    // the newest connection and drop the old one.
    if (old) old.close('replaced by a new connection');
    const peer = new Peer(link, outbound, { clock: this.clock, ...this.opts.peer, log: this.opts.log });
    this.peers.set(id, peer);
    peer.onMessage = (m) => this.onMessage(peer, m);
    // The node hears of the connection synchronously when init completes, so that it
    // learns of it (e.g. channels send channel_reestablish) before any later message of the
    // same connection: the link may deliver the peer's init and its next messages (its
    // channel_reestablish) in one go, before `await peer.ready()` below resumes.
    peer.onReady = () => {
      if (this.peers.get(id) !== peer) return;
      const k = this.kept.get(id);
      if (k) k.attempt = 0;
      this.onPeerReady(peer);
      this.opts.events?.emit('peer_connected', { peerId: id, outbound, address: `${link.remoteAddress}:${link.remotePort}` });
    };
    peer.onClosed((reason) => {
      if (this.peers.get(id) === peer) {
        this.peers.delete(id);
        if (peer.remoteFeatures) {
          this.onPeerClosed(id);
          this.opts.events?.emit('peer_disconnected', { peerId: id, reason });
        }
      }
      this.opts.log.info('peer disconnected', { peer: id, reason });
      const k = this.kept.get(id);
      if (k && !this.stopped) this.scheduleReconnect(id);
    });
    await peer.ready();
    return peer;
  }

  /** connect dials a peer, waits for init, and keeps it. */
  async connect(id: string, host: string, port: number): Promise<Peer> {
    const existing = this.peers.get(id);
    if (existing && existing.state === 'active') return existing;
    const link = await this.opts.links.dial(host, port, fromHex(id));
    const peer = await this.attach(link, true);
    const prev = this.kept.get(id);
    this.clock.cancel(prev?.timer);
    this.kept.set(id, { id, host, port, attempt: 0, timer: null });
    this.saveKept();
    return peer;
  }

  private scheduleReconnect(id: string, delay?: number): void {
    const k = this.kept.get(id);
    if (!k || this.stopped || k.timer) return;
    const wait = delay ?? Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** k.attempt);
    k.attempt++;
    k.timer = this.clock.after(wait, () => {
      k.timer = null;
      if (this.stopped || this.peers.get(id)?.state === 'active' || !this.kept.has(id)) return;
      this.opts.links
        .dial(k.host, k.port, fromHex(id))
        .then((link) => this.attach(link, true))
        .then(
          () => this.opts.log.info('reconnected', { peer: id }),
          (e: Error) => {
            this.opts.log.info('reconnect failed', { peer: id, reason: e.message, attempt: k.attempt });
            this.scheduleReconnect(id);
          },
        );
    });
  }

  /** disconnect closes the connection and forgets to reconnect. Returns false if unknown. */
  disconnect(id: string): boolean {
    const k = this.kept.get(id);
    this.clock.cancel(k?.timer);
    const wasKept = this.kept.delete(id);
    if (wasKept) this.saveKept();
    const p = this.peers.get(id);
    if (p) p.close('disconnect requested');
    return wasKept || !!p;
  }

  keptPeers(): KeptPeer[] {
    return [...this.kept.values()].map(({ id, host, port }) => ({ id, host, port }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const k of this.kept.values()) this.clock.cancel(k.timer);
    for (const p of this.peers.values()) p.close('shutting down');
    await this.listener?.close();
    this.listener = null;
  }

  private file(): string | null {
    return this.opts.dataDir ? join(this.opts.dataDir, 'peers.json') : null;
  }

  private loadKept(): KeptPeer[] {
    const f = this.file();
    if (!f || !existsSync(f)) return [];
    try {
      const v = JSON.parse(readFileSync(f, 'utf8')) as KeptPeer[];
      return Array.isArray(v) ? v.filter((k) => /^0[23][0-9a-f]{64}$/.test(k.id) && typeof k.host === 'string' && Number.isInteger(k.port)) : [];
    } catch {
      this.opts.log.warn('ignoring unreadable peers.json');
      return [];
    }
  }

  private saveKept(): void {
    const f = this.file();
    if (!f) return;
    writeFileSync(f + '.tmp', JSON.stringify(this.keptPeers(), null, 2));
    renameSync(f + '.tmp', f);
  }
}
