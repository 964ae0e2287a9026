/**
 * A peer session (BOLT #1): over an authenticated link, exchange `init`, check the chain and
 * the features, keep the link alive with ping/pong, and handle `error` and `warning`.
 * Everything else is handed to the node. Misbehaviour closes this link and nothing else.
 */
import { toHex } from '../lib/bytes.ts';
import { DecodeError } from '../lib/errors.ts';
import { equalBytes } from '../lib/bytes.ts';
import { decodeMessage, encodeMessage, UnknownEvenMessageError, type InitMessage, type PingMessage, type PongMessage, type WireMessage } from '../wire/index.ts';
import { checkRemoteInitFeatures, Features } from '../wire/features.ts';
import type { Logger } from './log.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';

/** MessageLink is what a peer session needs from the transport (a NoiseSocket adapter). */
export interface MessageLink {
  readonly remotePubkey: Uint8Array;
  readonly remoteAddress: string;
  readonly remotePort: number;
  send(msg: Uint8Array): Promise<void>;
  close(reason: string): void;
  onMessage(cb: (m: Uint8Array) => void): void;
  onClose(cb: (reason: string) => void): void;
}

export interface PeerOptions {
  chainHash: Uint8Array;
  localFeatures: Features;
  /** Milliseconds to wait for the peer's init. */
  initTimeoutMs: number;
  /** Milliseconds of silence before we ping. */
  pingIntervalMs: number;
  /** Milliseconds to wait for a pong. */
  pongTimeoutMs: number;
  /** Pings accepted per minute before the peer counts as flooding us. */
  maxPingsPerMinute: number;
  log: Logger;
  /** The node's clock and timers (default: the wall clock). */
  clock?: Clock;
  /** Milliseconds since the epoch; by default `clock.now()`. */
  now?: () => number;
  random: (n: number) => Uint8Array;
  /**
   * Developer (fault injection): drop the connection right after every N-th channel update
   * message (update_*, commitment_signed, revoke_and_ack) sent, as a flaky peer would.
   * Undefined or 0: never.
   */
  devDisconnectAfterChannelMsgs?: number;
  /** Which channel update messages the injection counts: sent (default), received, or both. */
  devDisconnectDirection?: 'sent' | 'received' | 'both';
}

/** The update dance's messages, counted by the developer disconnect injection. */
function isChannelUpdateMessage(type: string): boolean {
  return type.startsWith('update_') || type === 'commitment_signed' || type === 'revoke_and_ack';
}

/**
 * `condemned`: a must-close decision was taken; nothing more from the connection is
 * processed, and at most one warning is on its way before the link is closed.
 */
export type PeerState = 'awaiting-init' | 'active' | 'condemned' | 'closed';

/** Peer is one live connection after the Noise handshake. */
export class Peer {
  state: PeerState = 'awaiting-init';
  remoteFeatures: Features | null = null;
  readonly connectedAt: number;
  private timers: TimerHandle[] = [];
  private pingTimer: TimerHandle | null = null;
  private pending: { len: number; sentAt: number; resolve: (v: { totlen: number; rtt_ms: number }) => void; reject: (e: Error) => void; timer: TimerHandle } | null = null;
  private readonly clock: Clock;
  private readonly now: () => number;
  private pingTimes: number[] = [];
  private initWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private closeListeners: ((reason: string) => void)[] = [];
  /** Messages for the rest of the node (channels, gossip). */
  onMessage: (m: WireMessage) => void = () => {};
  /**
   * Called once, synchronously, when both inits are exchanged: before any later message of
   * this connection reaches onMessage (ready() resolves a microtask later, by which time the
   * link may already have delivered the peer's next messages).
   */
  onReady: () => void = () => {};
  /** Channel update messages counted since the last injected disconnect (developer option). */
  private devUpdates = 0;
  closeReason: string | null = null;
  readonly log: Logger;

  constructor(
    readonly link: MessageLink,
    readonly outbound: boolean,
    readonly opts: PeerOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    const clock = this.clock;
    this.now = opts.now ?? (() => clock.now());
    this.connectedAt = this.now();
    this.log = opts.log.child('peer', { peer: toHex(link.remotePubkey) });
    link.onMessage((m) => this.receive(m));
    link.onClose((reason) => this.closed(reason));
    this.timers.push(this.clock.after(opts.initTimeoutMs, () => this.state === 'awaiting-init' && this.fail('no init received in time')));
    // BOLT #1: "the sending node: MUST send init as the first Lightning message for any connection."
    void this.sendMsg({
      type: 'init',
      globalfeatures: new Uint8Array(0),
      features: opts.localFeatures.toBytes(),
      tlvs: { networks: [opts.chainHash], remote_addr: undefined },
    });
  }

  get id(): Uint8Array {
    return this.link.remotePubkey;
  }

  /** ready resolves once both inits are exchanged, or rejects when the peer is refused. */
  ready(): Promise<void> {
    if (this.state === 'active') return Promise.resolve();
    if (this.state === 'closed' || this.state === 'condemned') return Promise.reject(new Error(this.closeReason ?? 'closed'));
    return new Promise((resolve, reject) => this.initWaiters.push({ resolve, reject }));
  }

  onClosed(cb: (reason: string) => void): void {
    this.closeListeners.push(cb);
  }

  async sendMsg(m: WireMessage): Promise<void> {
    if (this.state === 'closed' || this.state === 'condemned') throw new Error('peer connection is closed');
    await this.link.send(encodeMessage(m));
    if ((this.opts.devDisconnectDirection ?? 'sent') !== 'received') this.devCountUpdate(m.type, 'sent');
  }

  /**
   * devCountUpdate (developer fault injection) drops the connection once N channel update
   * messages went by, right after the one that reaches the count: a sent message was handed
   * to the socket and is flushed before the FIN; after a received one, whatever else the peer
   * sent on this connection is discarded. The drop waits for a commitment_signed or
   * revoke_and_ack: a disconnect between an update_* and the commitment_signed covering it
   * only makes the receiver forget the update (BOLT #2: "MUST reverse any uncommitted updates
   * sent by the other side"), to be sent again on reconnection, so with N=1 nothing would
   * progress.
   */
  private devCountUpdate(type: string, direction: 'sent' | 'received'): void {
    const every = this.opts.devDisconnectAfterChannelMsgs;
    if (!every || !isChannelUpdateMessage(type) || this.state === 'closed' || this.state === 'condemned') return;
    this.devUpdates++;
    if (this.devUpdates < every || type.startsWith('update_')) return;
    this.devUpdates = 0;
    this.log.info('developer: dropping the connection after a channel message', { [direction]: type, every });
    this.close(`developer: disconnect after ${direction === 'sent' ? 'sending' : 'receiving'} ${type}`);
  }

  /** ping sends a ping and resolves with the pong's size and the round trip. */
  ping(numPongBytes = 128, byteslen = 128): Promise<{ totlen: number; rtt_ms: number }> {
    if (this.state !== 'active') return Promise.reject(new Error('peer is not connected'));
    if (this.pending) return Promise.reject(new Error('a ping is already in flight'));
    return new Promise((resolve, reject) => {
      const timer = this.clock.after(this.opts.pongTimeoutMs, () => {
        this.pending = null;
        reject(new Error('no pong received in time'));
        this.fail('pong timeout');
      });
      this.pending = { len: numPongBytes, sentAt: this.now(), resolve, reject, timer };
      this.sendMsg({ type: 'ping', num_pong_bytes: numPongBytes, ignored: new Uint8Array(byteslen) } as WireMessage).catch((e: Error) => {
        this.clock.cancel(timer);
        this.pending = null;
        reject(e);
      });
    });
  }

  /** close ends the session, telling the peer why with a warning when asked to. */
  close(reason: string): void {
    if (this.state === 'closed') return;
    this.link.close(reason);
    this.closed(reason);
  }

  /**
   * fail condemns the connection: from here on nothing it sends is processed (the rest of
   * the same read included), no other message of ours goes out, and a single `warning`
   * saying why is sent before the link is closed.
   */
  private fail(reason: string, warn = true): void {
    if (this.state === 'closed' || this.state === 'condemned') return;
    this.log.warn('closing connection', { reason });
    this.state = 'condemned';
    this.closeReason = reason;
    this.stopTimers();
    if (warn) {
      const data = new TextEncoder().encode(reason);
      const warning = { type: 'warning', channel_id: new Uint8Array(32), data } as WireMessage;
      this.link
        .send(encodeMessage(warning))
        .catch(() => {})
        .finally(() => this.close(reason));
    } else this.close(reason);
  }

  private stopTimers(): void {
    for (const t of this.timers) this.clock.cancel(t);
    this.timers = [];
    this.clock.cancel(this.pingTimer);
    this.pingTimer = null;
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason ??= reason;
    this.stopTimers();
    if (this.pending) {
      this.clock.cancel(this.pending.timer);
      this.pending.reject(new Error(`connection closed: ${reason}`));
      this.pending = null;
    }
    for (const w of this.initWaiters) w.reject(new Error(reason));
    this.initWaiters = [];
    for (const l of this.closeListeners) l(reason);
  }

  private armPing(): void {
    this.clock.cancel(this.pingTimer);
    this.pingTimer = this.clock.after(this.opts.pingIntervalMs, () => {
      this.pingTimer = null;
      if (this.state !== 'active') return;
      if (this.pending) return this.armPing();
      this.ping(8, 8).then(
        () => this.armPing(),
        () => {},
      );
    });
  }

  private receive(bytes: Uint8Array): void {
    // A condemned connection's remaining frames (even those of the same read) are dropped.
    if (this.state === 'closed' || this.state === 'condemned') return;
    let m: WireMessage;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      if (e instanceof UnknownEvenMessageError) {
        // BOLT #1: "upon receiving a message of even, unknown type: MUST close the connection"
        return this.fail(`unknown even message type ${bytes.length >= 2 ? (bytes[0] << 8) | bytes[1] : '?'}`);
      }
      if (e instanceof DecodeError) return this.fail(`malformed message: ${e.message}`);
      this.log.error('decoder threw a non-decode error', { error: String(e) });
      return this.fail('internal error decoding message', false);
    }
    if (this.state === 'active') this.armPing();
    if (m.type === 'unknown') {
      // BOLT #1: "upon receiving a message of odd, unknown type: MUST ignore the received message."
      return;
    }
    if (this.state === 'awaiting-init') {
      if (m.type !== 'init') return this.fail(`expected init, got ${m.type}`);
      return this.handleInit(m);
    }
    switch (m.type) {
      case 'init':
        return this.fail('second init received');
      case 'ping':
        return this.handlePing(m);
      case 'pong':
        return this.handlePong(m);
      case 'error': {
        const text = new TextDecoder().decode(m.data);
        this.log.warn('peer sent error', { channel: toHex(m.channel_id), text });
        this.onMessage(m);
        return;
      }
      case 'warning': {
        const text = new TextDecoder().decode(m.data);
        this.log.info('peer sent warning', { channel: toHex(m.channel_id), text });
        return;
      }
      default:
        this.onMessage(m);
        if ((this.opts.devDisconnectDirection ?? 'sent') !== 'sent') this.devCountUpdate(m.type, 'received');
    }
  }

  private handleInit(m: InitMessage): void {
    const init = m;
    // BOLT #1: "upon receiving `networks` containing no common chains - MAY close the connection."
    const nets = init.tlvs?.networks;
    if (nets && nets.length > 0 && !nets.some((n) => equalBytes(n, this.opts.chainHash))) {
      return this.fail('no common chain: we only run on ' + toHex(this.opts.chainHash));
    }
    // BOLT #1: "MUST combine (bitwise OR) the two feature bitmaps into one logical `features` map."
    const len = Math.max(init.globalfeatures.length, init.features.length);
    const merged = new Uint8Array(len);
    merged.set(init.globalfeatures, len - init.globalfeatures.length);
    const f = init.features;
    for (let i = 0; i < f.length; i++) merged[len - f.length + i] |= f[i];
    const remote = Features.fromBytes(merged);
    const check = checkRemoteInitFeatures(remote);
    if (!check.ok) return this.fail(check.reason);
    this.remoteFeatures = remote;
    this.state = 'active';
    for (const t of this.timers) this.clock.cancel(t);
    this.timers = [];
    this.log.info('peer ready', { outbound: this.outbound });
    this.armPing();
    try {
      this.onReady();
    } catch (e) {
      this.log.error('peer ready handler threw', { error: (e as Error).stack ?? String(e) });
    }
    for (const w of this.initWaiters) w.resolve();
    this.initWaiters = [];
  }

  private handlePing(m: PingMessage): void {
    const ping = m;
    const now = this.now();
    this.pingTimes = this.pingTimes.filter((t) => now - t < 60_000);
    this.pingTimes.push(now);
    if (this.pingTimes.length > this.opts.maxPingsPerMinute) {
      return this.fail(`ping flood: more than ${this.opts.maxPingsPerMinute} pings in a minute`);
    }
    // BOLT #1: "if num_pong_bytes is less than 65532: MUST respond by sending a pong message,
    // with byteslen equal to num_pong_bytes. otherwise (num_pong_bytes is not less than
    // 65532): MUST ignore the ping."
    if (ping.num_pong_bytes < 65532) {
      void this.sendMsg({ type: 'pong', ignored: new Uint8Array(ping.num_pong_bytes) } as WireMessage).catch(() => {});
    }
  }

  private handlePong(m: PongMessage): void {
    const pong = m;
    const p = this.pending;
    // BOLT #1: "if `byteslen` does not correspond to any `ping`'s `num_pong_bytes` value it has sent: - MAY close the connection."
    if (!p) return this.fail('unsolicited pong');
    this.clock.cancel(p.timer);
    this.pending = null;
    if (pong.ignored.length !== p.len) {
      p.reject(new Error(`pong of ${pong.ignored.length} bytes, asked for ${p.len}`));
      return this.fail('pong length does not match ping');
    }
    p.resolve({ totlen: pong.ignored.length + 4, rtt_ms: this.now() - p.sentAt });
  }
}
