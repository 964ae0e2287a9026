/**
 * Peer sessions (BOLT 1) over an in-memory link: init exchange with chain and feature
 * checks, ping/pong rules, ping floods, unknown messages, and malformed input closing only
 * the one connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Peer, type MessageLink } from '../../src/node/peer.ts';
import { nullLogger } from '../../src/node/log.ts';
import { chainHash } from '../../src/node/networks.ts';
import { encodeMessage, decodeMessage, type WireMessage } from '../../src/wire/index.ts';
import { Features, kiteInitFeatures } from '../../src/wire/features.ts';
import { getPublicKey } from '../../src/crypto/index.ts';
import { ManualClock } from '../../src/node/clock.ts';

class MemLink implements MessageLink {
  other!: MemLink;
  sent: Uint8Array[] = [];
  closed: string | null = null;
  private onMsg: (m: Uint8Array) => void = () => {};
  private onCls: ((r: string) => void)[] = [];
  constructor(readonly remotePubkey: Uint8Array, readonly remoteAddress = '127.0.0.1', readonly remotePort = 1) {}
  async send(m: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('closed');
    this.sent.push(m);
    const o = this.other;
    setImmediate(() => o.closed === null && o.deliver(m));
  }
  deliver(m: Uint8Array): void {
    this.onMsg(m);
  }
  close(reason: string): void {
    if (this.closed) return;
    this.closed = reason;
    for (const c of this.onCls) c(reason);
    setImmediate(() => this.other.close('remote closed'));
  }
  onMessage(cb: (m: Uint8Array) => void): void {
    this.onMsg = cb;
  }
  onClose(cb: (r: string) => void): void {
    this.onCls.push(cb);
  }
}

function pair(): [MemLink, MemLink] {
  const a = new MemLink(getPublicKey(new Uint8Array(32).fill(2)));
  const b = new MemLink(getPublicKey(new Uint8Array(32).fill(1)));
  a.other = b;
  b.other = a;
  return [a, b];
}

const opts = (over: Partial<ConstructorParameters<typeof Peer>[2]> = {}) => ({
  chainHash: chainHash('regtest'),
  localFeatures: kiteInitFeatures(),
  initTimeoutMs: 2000,
  pingIntervalMs: 60_000,
  pongTimeoutMs: 2000,
  maxPingsPerMinute: 5,
  log: nullLogger,
  now: () => Date.now(),
  random: (n: number) => new Uint8Array(n),
  ...over,
});

const tick = () => new Promise((r) => setTimeout(r, 20));

test('two peers exchange init and become active; ping gets a pong of the asked size', async () => {
  const [la, lb] = pair();
  const a = new Peer(la, true, opts());
  const b = new Peer(lb, false, opts());
  await Promise.all([a.ready(), b.ready()]);
  assert.equal(a.state, 'active');
  assert.ok(a.remoteFeatures);
  const first = decodeMessage(la.sent[0]);
  assert.equal(first.type, 'init', 'init is the first message sent');
  const r = await a.ping(100, 10);
  assert.equal(r.totlen, 104);
  a.close('done');
  await tick();
  assert.equal(b.state, 'closed');
});

test('a peer on another chain is refused', async () => {
  const [la, lb] = pair();
  const a = new Peer(la, true, opts());
  const b = new Peer(lb, false, opts({ chainHash: chainHash('bitcoin') }));
  await assert.rejects(a.ready());
  await assert.rejects(b.ready());
  assert.match(String(b.closeReason ?? a.closeReason), /chain/);
});

test('unknown even feature bits are refused with a reason', async () => {
  const [la, lb] = pair();
  const f = kiteInitFeatures();
  const weird = Features.fromBytes(f.toBytes());
  weird.set(200); // an even bit nobody knows
  const a = new Peer(la, true, opts({ localFeatures: weird }));
  const b = new Peer(lb, false, opts());
  await assert.rejects(b.ready());
  assert.match(String(b.closeReason), /200/);
  await tick();
  assert.equal(a.state, 'closed', 'the refused side is disconnected too');
});

test('pings asking for 65532 or more bytes are ignored; floods disconnect', async () => {
  const [la, lb] = pair();
  const a = new Peer(la, true, opts());
  const b = new Peer(lb, false, opts());
  await Promise.all([a.ready(), b.ready()]);
  const before = lb.sent.length;
  await la.send(encodeMessage({ type: 'ping', num_pong_bytes: 65532, ignored: new Uint8Array(0) } as WireMessage));
  await tick();
  assert.equal(lb.sent.length, before, 'no pong for num_pong_bytes >= 65532');
  for (let i = 0; i < 6; i++) await la.send(encodeMessage({ type: 'ping', num_pong_bytes: 1, ignored: new Uint8Array(0) } as WireMessage));
  await tick();
  await tick();
  assert.equal(b.state, 'closed');
  assert.match(String(b.closeReason), /ping flood/);
});

test('unknown odd messages are ignored, unknown even ones close the connection', async () => {
  const [la, lb] = pair();
  const a = new Peer(la, true, opts());
  const b = new Peer(lb, false, opts());
  await Promise.all([a.ready(), b.ready()]);
  await la.send(Uint8Array.of(0x80, 0x01, 1, 2, 3)); // type 32769, odd
  await tick();
  assert.equal(b.state, 'active');
  await la.send(Uint8Array.of(0x80, 0x02, 1, 2, 3)); // type 32770, even
  await tick();
  assert.equal(b.state, 'closed');
  assert.match(String(b.closeReason), /unknown even message/);
});

test('malformed known messages and a message before init close the connection', async () => {
  const [la, lb] = pair();
  const b = new Peer(lb, false, opts());
  await la.send(encodeMessage({ type: 'ping', num_pong_bytes: 1, ignored: new Uint8Array(0) } as WireMessage));
  await tick();
  assert.equal(b.state, 'closed');
  assert.match(String(b.closeReason), /expected init/);

  const [lc, ld] = pair();
  const c = new Peer(lc, true, opts());
  const d = new Peer(ld, false, opts());
  await Promise.all([c.ready(), d.ready()]);
  await lc.send(Uint8Array.of(0x00, 0x12, 0x00)); // ping (18) cut short
  await tick();
  assert.equal(d.state, 'closed');
  assert.match(String(d.closeReason), /malformed/);
});

test('no init within the timeout closes the connection (simulated time)', async () => {
  const clock = new ManualClock();
  const [, lb] = pair();
  const b = new Peer(lb, false, opts({ initTimeoutMs: 30_000, clock, now: undefined }));
  const ready = b.ready().then(
    () => 'ready',
    (e: Error) => e.message,
  );
  await clock.advance(29_999);
  assert.equal(b.state, 'awaiting-init');
  await clock.advance(1);
  assert.match(await ready, /no init/);
});

test('once a connection is condemned, nothing more from it is processed and one warning goes out', async () => {
  const [la, lb] = pair();
  const a = new Peer(la, true, opts());
  const b = new Peer(lb, false, opts());
  await Promise.all([a.ready(), b.ready()]);
  const handed: string[] = [];
  b.onMessage = (m) => handed.push(m.type);
  const before = lb.sent.length;
  const ping = encodeMessage({ type: 'ping', num_pong_bytes: 4, ignored: new Uint8Array(0) } as WireMessage);
  const err = encodeMessage({ type: 'error', channel_id: new Uint8Array(32), data: new Uint8Array(0) } as WireMessage);
  // One read carrying a must-close frame, then more frames: a ping, an error, more bad frames, a flood.
  lb.deliver(Uint8Array.of(0x80, 0x02, 1, 2, 3)); // unknown even: must close
  lb.deliver(ping);
  lb.deliver(err);
  lb.deliver(Uint8Array.of(0x80, 0x04));
  for (let i = 0; i < 10; i++) lb.deliver(ping);
  await tick();
  const sent = lb.sent.slice(before).map((m) => decodeMessage(m).type);
  assert.deepEqual(sent, ['warning'], 'exactly one warning, no pong');
  assert.deepEqual(handed, [], 'nothing after the condemning frame reaches the node');
  assert.equal(b.state, 'closed');
  assert.match(String(b.closeReason), /unknown even message/);
});
