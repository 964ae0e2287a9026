/**
 * NoiseSocket: the one I/O adapter of BOLT 8. It runs the pure handshake of src/transport
 * over a node:net socket, then carries framed, encrypted Lightning messages both ways.
 *
 * Delivery: NoiseSocket is an EventEmitter with two events, and nothing else is emitted
 * (never 'error', so a missing listener cannot crash the process):
 *   - 'message' (msg: Uint8Array): one decrypted Lightning message, in order.
 *   - 'close' (reason: string): exactly once, when the connection is gone.
 * Messages are held (not lost) until the first 'message' listener is attached. For
 * pull-style consumers, `messages()` is an async iterator over the same stream.
 *
 * Backpressure, both ways: send() resolves when the frame is handed to the kernel, or waits
 * for 'drain' when the socket's write buffer is full. On the receiving side the socket is
 * paused while undecoded bytes exceed `highWaterMark` or while the consumer has called
 * pause() (the async iterator does this itself when its queue fills).
 *
 * Misbehaviour closes this connection only, with a reason: a bad MAC, a bad handshake act
 * (version, key, MAC), a handshake that does not finish in time, or a 'message' listener
 * that throws.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { getPublicKey, isPrivateKey, isPublicKey, randomBytes, type RandomSource } from '../crypto/index.ts';
import {
  ACT_ONE_SIZE,
  ACT_THREE_SIZE,
  ACT_TWO_SIZE,
  encryptMessage,
  HandshakeError,
  initiatorActTwo,
  initiatorStart,
  MAX_FRAME_SIZE,
  MessageDecoder,
  responderActOne,
  responderActThree,
  responderStart,
  type HandshakeErrorCode,
  type Session,
} from '../transport/index.ts';

/** Why a connection attempt or an established connection failed. */
export type NoiseFailureCode = HandshakeErrorCode | 'HANDSHAKE_TIMEOUT' | 'SOCKET_CLOSED' | 'SOCKET_ERROR' | 'BAD_ARGUMENT';

/** NoiseConnectionError: connectNoise/acceptNoise (or send on a closed socket) failed. */
export class NoiseConnectionError extends Error {
  override name = 'NoiseConnectionError';
  constructor(
    readonly code: NoiseFailureCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Options shared by both ends of a connection. */
export interface NoiseCommonOptions {
  /** Our node secret (32 bytes). */
  localSecret: Uint8Array;
  /** getPublicKey(localSecret), when the caller has it already. */
  localPubkey?: Uint8Array;
  /** The handshake (and, for connectNoise, the TCP connect) must finish within this. */
  handshakeTimeoutMs: number;
  /** The ephemeral secret for this handshake; by default drawn from `random`. */
  ephemeral?: Uint8Array;
  /** Randomness for the ephemeral key; defaults to the crypto facade's randomBytes. */
  random?: RandomSource;
  /** Undecoded received bytes above which the socket is paused (default 256 KiB). */
  highWaterMark?: number;
}

/** Options for dialling a peer. */
export interface ConnectNoiseOptions extends NoiseCommonOptions {
  host: string;
  port: number;
  /** The peer's node id (33-byte compressed public key). */
  remotePubkey: Uint8Array;
}

/** Options for answering a peer on an accepted socket. */
export type AcceptNoiseOptions = NoiseCommonOptions;

const DEFAULT_HIGH_WATER = 256 * 1024;
const CLOSE_GRACE_MS = 2000;

function freshEphemeral(opts: NoiseCommonOptions): Uint8Array {
  if (opts.ephemeral) {
    if (!isPrivateKey(opts.ephemeral)) throw new NoiseConnectionError('BAD_ARGUMENT', 'ephemeral is not a valid private key');
    return opts.ephemeral;
  }
  const random = opts.random ?? randomBytes;
  for (;;) {
    const k = random(32);
    if (isPrivateKey(k)) return k;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * NoiseSocket is an established BOLT 8 connection. Create it with connectNoise or
 * acceptNoise. It satisfies node/peer.ts's MessageLink.
 */
export class NoiseSocket extends EventEmitter {
  /** The peer's static public key (node id), authenticated by the handshake. */
  readonly remotePubkey: Uint8Array;
  /** Our static public key. */
  readonly localPubkey: Uint8Array;
  /** The peer's IP address and port (captured at handshake time). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The final handshake hash, unique to this session. */
  readonly handshakeHash: Uint8Array;
  /** Why the connection closed, once it has. */
  closeReason: string | null = null;

  private readonly decoder: MessageDecoder;
  private readonly highWaterMark: number;
  private closed = false;
  private closing = false;
  private userPaused = false;
  private pumping = false;
  private pumpScheduled = false;
  private drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  /** Internal: use connectNoise / acceptNoise. Takes over `socket` and any bytes read past act three. */
  constructor(
    private readonly socket: Socket,
    private readonly session: Session,
    localPubkey: Uint8Array,
    leftover: Uint8Array | null,
    highWaterMark = DEFAULT_HIGH_WATER,
  ) {
    super();
    this.remotePubkey = session.remotePubkey;
    this.localPubkey = localPubkey;
    this.handshakeHash = session.handshakeHash;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.highWaterMark = highWaterMark;
    this.decoder = new MessageDecoder(session.receiver);
    if (leftover && leftover.length > 0) this.decoder.push(leftover);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      try {
        this.pump();
      } catch (e) {
        // Not reachable with valid keys; never let it escape an event handler.
        this.destroy(`internal error: ${describe(e)}`);
      }
    });
    socket.on('drain', () => this.settleDrain(null));
    socket.on('error', (e) => {
      this.closeReason ??= `socket error: ${describe(e)}`;
    });
    socket.on('close', () => this.finish());
    // A consumer attaching a 'message' listener starts delivery of held messages.
    this.on('newListener', (event: string) => {
      if (event === 'message') this.schedulePump();
    });
    if (socket.destroyed) queueMicrotask(() => this.finish());
    else this.updateFlow();
  }

  /** True once the connection is gone (or close() was called). */
  get isClosed(): boolean {
    return this.closed || this.closing;
  }

  /**
   * send encrypts and writes one Lightning message. Resolves once the socket accepted it
   * without exceeding its buffer, or after the next 'drain' otherwise; rejects if the
   * message is over 65535 bytes (BOLT #8: "The *maximum* size of _any_ Lightning message
   * MUST NOT exceed `65535` bytes.") or the connection is closed.
   */
  send(msg: Uint8Array): Promise<void> {
    if (this.closed || this.closing) {
      return Promise.reject(new NoiseConnectionError('SOCKET_CLOSED', this.closeReason ?? 'connection closed'));
    }
    const frame = encryptMessage(this.session.sender, msg);
    if (!frame.ok) return Promise.reject(frame.error);
    if (this.socket.write(frame.value)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** onMessage registers a message listener (MessageLink style). */
  onMessage(cb: (msg: Uint8Array) => void): void {
    this.on('message', cb);
  }

  /** onClose registers a close listener; called at once (next tick) if already closed. */
  onClose(cb: (reason: string) => void): void {
    if (this.closed) {
      const reason = this.closeReason ?? 'closed';
      queueMicrotask(() => {
        try {
          cb(reason);
        } catch {
          /* a throwing close listener must not crash the process */
        }
      });
      return;
    }
    this.on('close', cb);
  }

  /** pause stops message delivery and, once buffered bytes pass the high-water mark, reading. */
  pause(): void {
    this.userPaused = true;
  }

  /** resume restarts message delivery after pause(). */
  resume(): void {
    if (!this.userPaused) return;
    this.userPaused = false;
    this.schedulePump();
  }

  /**
   * close ends the connection after flushing what was already sent. No more messages are
   * delivered. The 'close' event carries `reason` (the first reason recorded wins).
   */
  close(reason = 'closed locally'): void {
    if (this.closed || this.closing) return;
    this.closeReason ??= reason;
    this.closing = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** destroy drops the connection at once (pending writes are discarded). */
  destroy(reason = 'destroyed locally'): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.closing = true;
    this.socket.destroy();
  }

  /**
   * messages returns an async iterator over received messages, ending when the connection
   * closes. It pauses reading while `maxQueued` messages wait to be consumed.
   */
  messages(maxQueued = 16): AsyncIterableIterator<Uint8Array> {
    const queue: Uint8Array[] = [];
    let done = false;
    let waiter: ((r: IteratorResult<Uint8Array>) => void) | null = null;
    const onMessage = (m: Uint8Array): void => {
      if (waiter) {
        const w = waiter;
        waiter = null;
        w({ value: m, done: false });
        return;
      }
      queue.push(m);
      if (queue.length >= maxQueued) this.pause();
    };
    const onClose = (): void => {
      done = true;
      this.off('message', onMessage);
      if (waiter) {
        const w = waiter;
        waiter = null;
        w({ value: undefined, done: true });
      }
    };
    this.on('message', onMessage);
    this.onClose(onClose);
    const it: AsyncIterableIterator<Uint8Array> = {
      next: () => {
        const m = queue.shift();
        if (m !== undefined) {
          if (queue.length < maxQueued / 2) this.resume();
          return Promise.resolve({ value: m, done: false });
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        this.resume();
        return new Promise((resolve) => {
          waiter = resolve;
        });
      },
      return: () => {
        onClose();
        this.off('close', onClose);
        queue.length = 0;
        this.resume();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** pump decodes and delivers whole messages while a consumer is there and wants them. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && !this.closing && !this.userPaused && this.listenerCount('message') > 0) {
        const r = this.decoder.next();
        if (!r.ok) {
          // A bad MAC: BOLT 8 gives no way to resynchronise; drop this connection only.
          this.destroy(`bad MAC from peer: ${r.error.code}`);
          break;
        }
        if (r.value === null) break;
        try {
          this.emit('message', r.value);
        } catch (e) {
          this.destroy(`message listener threw: ${describe(e)}`);
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
    this.updateFlow();
  }

  /** updateFlow pauses the socket while too many undecoded bytes are held. */
  private updateFlow(): void {
    if (this.closed) return;
    if (this.decoder.bufferedBytes >= this.highWaterMark) this.socket.pause();
    else this.socket.resume();
  }

  private settleDrain(e: Error | null): void {
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) (e ? w.reject(e) : w.resolve());
  }

  private finish(): void {
    if (this.closed) return;
    // Deliver what already arrived intact before reporting the close.
    if (!this.closing) this.pump();
    this.closed = true;
    const reason = this.closeReason ?? 'closed by peer';
    this.closeReason = reason;
    this.settleDrain(new NoiseConnectionError('SOCKET_CLOSED', reason));
    try {
      this.emit('close', reason);
    } catch {
      /* a throwing close listener must not crash the process */
    }
  }
}

type Role =
  | { kind: 'initiator'; remotePubkey: Uint8Array }
  | { kind: 'responder' };

/**
 * runHandshake drives the three acts over `socket` and resolves with the NoiseSocket. On any
 * failure the socket is destroyed and the promise rejects with a NoiseConnectionError.
 */
function runHandshake(socket: Socket, role: Role, opts: NoiseCommonOptions, connected: boolean): Promise<NoiseSocket> {
  let ephemeralSecret: Uint8Array;
  try {
    ephemeralSecret = freshEphemeral(opts);
  } catch (e) {
    socket.on('error', () => {});
    socket.destroy();
    return Promise.reject(e);
  }
  return new Promise<NoiseSocket>((resolve, reject) => {
    let settled = false;
    let buf = new Uint8Array(0);
    const localPubkey = opts.localPubkey ?? getPublicKey(opts.localSecret, true);

    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('connect', onConnect);
    };
    const fail = (code: NoiseFailureCode, message: string): void => {
      if (settled) return;
      settled = true;
      cleanup();
      // Keep a listener so late socket errors are swallowed, then drop the connection.
      socket.on('error', () => {});
      socket.destroy();
      reject(new NoiseConnectionError(code, message));
    };
    const onError = (e: Error): void => fail('SOCKET_ERROR', describe(e));
    const onClose = (): void => fail('SOCKET_CLOSED', 'connection closed during the handshake');
    const timer = setTimeout(() => fail('HANDSHAKE_TIMEOUT', `handshake not complete after ${opts.handshakeTimeoutMs} ms`), opts.handshakeTimeoutMs);

    const done = (session: Session, rest: Uint8Array): void => {
      settled = true;
      cleanup();
      // Synchronous hand-over: the NoiseSocket attaches its 'data' listener in this tick.
      resolve(new NoiseSocket(socket, session, localPubkey, rest, opts.highWaterMark));
    };

    const handshakeFailure = (e: HandshakeError): void => fail(e.code, e.message);

    // step consumes bytes and returns how many it used: 0 = need more, -1 = settled.
    let step: (bytes: Uint8Array) => number = () => 0;
    let sendFirst: Uint8Array | null = null;

    if (role.kind === 'initiator') {
      let started: ReturnType<typeof initiatorStart>;
      try {
        started = initiatorStart({ localSecret: opts.localSecret, localPubkey, remotePubkey: role.remotePubkey, ephemeralSecret });
      } catch (e) {
        queueMicrotask(() => fail('BAD_ARGUMENT', describe(e)));
        return;
      }
      step = (bytes) => {
        if (bytes.length < ACT_TWO_SIZE) return 0;
        const r = initiatorActTwo(started.state, bytes.subarray(0, ACT_TWO_SIZE));
        if (!r.ok) {
          handshakeFailure(r.error);
          return -1;
        }
        socket.write(r.value.actThree);
        done(r.value.session, bytes.slice(ACT_TWO_SIZE));
        return -1;
      };
      sendFirst = started.actOne;
    } else {
      const s0 = responderStart({ localSecret: opts.localSecret, localPubkey, ephemeralSecret });
      let s1: Parameters<typeof responderActThree>[0] | null = null;
      step = (bytes) => {
        if (s1 === null) {
          if (bytes.length < ACT_ONE_SIZE) return 0;
          const r = responderActOne(s0, bytes.subarray(0, ACT_ONE_SIZE));
          if (!r.ok) {
            handshakeFailure(r.error);
            return -1;
          }
          s1 = r.value.state;
          socket.write(r.value.actTwo);
          return ACT_ONE_SIZE;
        }
        if (bytes.length < ACT_THREE_SIZE) return 0;
        const r = responderActThree(s1, bytes.subarray(0, ACT_THREE_SIZE));
        if (!r.ok) {
          handshakeFailure(r.error);
          return -1;
        }
        done(r.value, bytes.slice(ACT_THREE_SIZE));
        return -1;
      };
    }

    function onData(chunk: Buffer): void {
      try {
        handshakeData(chunk);
      } catch (e) {
        // Only a bad local argument (e.g. an invalid injected ephemeral) can get here.
        fail('BAD_ARGUMENT', describe(e));
      }
    }
    function handshakeData(chunk: Buffer): void {
      if (settled) return;
      const merged = new Uint8Array(buf.length + chunk.length);
      merged.set(buf, 0);
      merged.set(chunk, buf.length);
      buf = merged;
      while (!settled) {
        const used = step(buf);
        if (used <= 0) break;
        buf = buf.slice(used);
      }
      // A handshake act is at most 66 bytes; more than an act plus one frame is abuse.
      if (!settled && buf.length > ACT_THREE_SIZE + MAX_FRAME_SIZE) fail('SOCKET_ERROR', 'too much data during the handshake');
    }
    function onConnect(): void {
      if (settled) return;
      if (sendFirst) socket.write(sendFirst);
    }

    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    if (socket.destroyed) {
      queueMicrotask(() => fail('SOCKET_CLOSED', 'socket already closed'));
      return;
    }
    if (connected) onConnect();
    else socket.once('connect', onConnect);
  });
}

/**
 * connectNoise dials host:port and runs the BOLT 8 handshake as initiator towards
 * `remotePubkey`. Resolves with an established NoiseSocket; rejects with a
 * NoiseConnectionError (code HANDSHAKE_TIMEOUT, SOCKET_ERROR, SOCKET_CLOSED, BAD_ARGUMENT, or
 * an Appendix A code such as ACT2_BAD_TAG) and leaves no socket open.
 */
export function connectNoise(opts: ConnectNoiseOptions): Promise<NoiseSocket> {
  if (opts.remotePubkey.length !== 33 || !isPublicKey(opts.remotePubkey)) {
    return Promise.reject(new NoiseConnectionError('BAD_ARGUMENT', 'remotePubkey is not a 33-byte compressed public key'));
  }
  if (!isPrivateKey(opts.localSecret)) return Promise.reject(new NoiseConnectionError('BAD_ARGUMENT', 'localSecret is not a valid private key'));
  const socket = connect({ host: opts.host, port: opts.port });
  socket.setNoDelay(true);
  return runHandshake(socket, { kind: 'initiator', remotePubkey: opts.remotePubkey }, opts, false);
}

/**
 * acceptNoise runs the BOLT 8 handshake as responder on an accepted socket (from a
 * net.Server 'connection' event). Resolves with an established NoiseSocket whose
 * `remotePubkey` is the initiator's node id; rejects with a NoiseConnectionError and destroys
 * the socket on failure. A server should catch the rejection and carry on serving.
 */
export function acceptNoise(socket: Socket, opts: AcceptNoiseOptions): Promise<NoiseSocket> {
  if (!isPrivateKey(opts.localSecret)) {
    socket.on('error', () => {});
    socket.destroy();
    return Promise.reject(new NoiseConnectionError('BAD_ARGUMENT', 'localSecret is not a valid private key'));
  }
  socket.setNoDelay(true);
  return runHandshake(socket, { kind: 'responder' }, opts, true);
}
