/**
 * NoiseSocket over loopback TCP (127.0.0.1, port 0): message exchange with backpressure,
 * and misbehaving connections (garbage, stalled handshake, bad MAC, wrong node id, a
 * throwing listener) that close only themselves while the server keeps serving others.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import { equalBytes } from '../../src/lib/index.ts';
import { acceptNoise, connectNoise, NoiseConnectionError, type NoiseSocket } from '../../src/node/noise-socket.ts';
import { encryptMessage, initiatorActTwo, initiatorStart, MAX_MESSAGE_SIZE } from '../../src/transport/index.ts';

const serverSecret = new Uint8Array(32).fill(0x21);
const serverPub = getPublicKey(serverSecret);
const clientSecret = new Uint8Array(32).fill(0x11);
const clientPub = getPublicKey(clientSecret);

/** A deterministic message body: its bytes derive from (index, length). */
function body(i: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (i * 2654435761) >>> 0;
  for (let j = 0; j < len; j++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[j] = x >>> 24;
  }
  return out;
}

interface TestServer {
  server: Server;
  port: number;
  accepted: NoiseSocket[];
  failures: NoiseConnectionError[];
  rawSockets: Set<Socket>;
  /** When true (the default), each accepted connection echoes every message back. */
  echo: boolean;
  nextAccepted(): Promise<NoiseSocket>;
  nextFailure(): Promise<NoiseConnectionError>;
  close(): Promise<void>;
}

async function startServer(handshakeTimeoutMs = 2000): Promise<TestServer> {
  const accepted: NoiseSocket[] = [];
  const failures: NoiseConnectionError[] = [];
  const rawSockets = new Set<Socket>();
  let acceptWaiters: ((s: NoiseSocket) => void)[] = [];
  let failWaiters: ((e: NoiseConnectionError) => void)[] = [];
  const srv = {} as TestServer;
  const server = createServer((sock) => {
    rawSockets.add(sock);
    sock.on('close', () => rawSockets.delete(sock));
    acceptNoise(sock, { localSecret: serverSecret, handshakeTimeoutMs }).then(
      (ns) => {
        accepted.push(ns);
        if (srv.echo) ns.on('message', (m: Uint8Array) => void ns.send(m).catch(() => {}));
        const w = acceptWaiters;
        acceptWaiters = [];
        w.forEach((f) => f(ns));
      },
      (e: NoiseConnectionError) => {
        failures.push(e);
        const w = failWaiters;
        failWaiters = [];
        w.forEach((f) => f(e));
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return Object.assign(srv, {
    echo: true,
    server,
    port,
    accepted,
    failures,
    rawSockets,
    nextAccepted: () => new Promise((r) => acceptWaiters.push(r)),
    nextFailure: () => new Promise((r) => failWaiters.push(r)),
    close: async () => {
      for (const s of accepted) s.destroy('test over');
      for (const s of rawSockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

function dial(port: number, extra: Partial<Parameters<typeof connectNoise>[0]> = {}): Promise<NoiseSocket> {
  return connectNoise({ host: '127.0.0.1', port, localSecret: clientSecret, remotePubkey: serverPub, handshakeTimeoutMs: 2000, ...extra });
}

/** A raw TCP client that does the handshake by hand with the pure API; returns socket and session. */
async function rawHandshake(port: number) {
  const sock = connect({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  await once(sock, 'connect');
  const a = initiatorStart({ localSecret: clientSecret, remotePubkey: serverPub, ephemeralSecret: new Uint8Array(32).fill(0x12) });
  sock.write(a.actOne);
  let buf = Buffer.alloc(0);
  while (buf.length < 50) {
    const [chunk] = (await once(sock, 'data')) as [Buffer];
    buf = Buffer.concat([buf, chunk]);
  }
  const r = initiatorActTwo(a.state, new Uint8Array(buf.subarray(0, 50)));
  assert.ok(r.ok);
  // Act three is not written here: the caller sends it, possibly with frames behind it.
  return { sock, session: r.value.session, actThree: r.value.actThree };
}

async function pingPong(port: number): Promise<void> {
  const c = await dial(port);
  try {
    const it = c.messages();
    await c.send(Uint8Array.of(0, 18, 1, 2, 3));
    const echoed = await it.next();
    assert.equal(echoed.done, false);
    assert.deepEqual(echoed.value, Uint8Array.of(0, 18, 1, 2, 3));
  } finally {
    c.close('ping-pong done');
  }
}

describe('NoiseSocket over loopback', { timeout: 25_000 }, () => {
  let srv: TestServer;
  const openClients: NoiseSocket[] = [];
  after(async () => {
    for (const c of openClients) c.destroy('test over');
    await srv?.close();
  });

  test('handshake authenticates both node ids; messages flow both ways', async () => {
    srv = await startServer();
    srv.echo = false;
    const acceptedP = srv.nextAccepted();
    const c = await dial(srv.port);
    openClients.push(c);
    const s = await acceptedP;
    srv.echo = true;
    assert.deepEqual(c.remotePubkey, serverPub);
    assert.deepEqual(s.remotePubkey, clientPub);
    assert.deepEqual(c.localPubkey, clientPub);
    assert.deepEqual(c.handshakeHash, s.handshakeHash);
    assert.equal(s.remoteAddress, '127.0.0.1');
    assert.ok(s.remotePort > 0);
    const got: Uint8Array[] = [];
    s.on('message', (m: Uint8Array) => {
      got.push(m);
      void s.send(m).catch(() => {});
    });
    const it = c.messages();
    const sizes = [0, 1, 2, 100, 1000, MAX_MESSAGE_SIZE, 65534, 12345];
    for (let i = 0; i < sizes.length; i++) await c.send(body(i, sizes[i]!));
    for (let i = 0; i < sizes.length; i++) {
      const r = await it.next();
      assert.equal(r.done, false);
      assert.ok(equalBytes(r.value, body(i, sizes[i]!)), `echo ${i}`);
    }
    assert.equal(got.length, sizes.length);
    await it.return!();
    srv.echo = true;
  });

  test('send rejects messages over 65535 bytes and keeps the session usable', async () => {
    const c = openClients[0]!;
    await assert.rejects(c.send(new Uint8Array(MAX_MESSAGE_SIZE + 1)), (e: Error) => /MESSAGE_TOO_LARGE/.test(e.message));
    const it = c.messages();
    await c.send(Uint8Array.of(9, 9));
    const r = await it.next();
    assert.deepEqual(r.value, Uint8Array.of(9, 9));
    await it.return!();
  });

  test('backpressure: a sender blocks while the receiver does not read, then everything arrives in order', async () => {
    srv.echo = false;
    const acceptedP = srv.nextAccepted();
    const c = await dial(srv.port);
    openClients.push(c);
    const s = await acceptedP;
    srv.echo = true;
    // No 'message' listener on s yet: it holds bytes up to its high-water mark, then pauses
    // the socket, so TCP buffers fill and the client's send() must wait for 'drain'.
    // ~39 MB: more than the largest loopback socket buffers (tcp_rmem max 32 MB + tcp_wmem
    // max 4 MB) plus the NoiseSocket's 256 KiB high-water mark can hold.
    const total = 600;
    let sent = 0;
    const sender = (async () => {
      for (let i = 0; i < total; i++) {
        await c.send(body(i, i % 7 === 3 ? 1000 : MAX_MESSAGE_SIZE));
        sent++;
      }
    })();
    // Wait until the sender makes no progress for 250 ms (it is blocked on 'drain').
    let last = -1;
    for (let waited = 0; waited < 10_000 && sent !== last && sent < total; waited += 250) {
      last = sent;
      await new Promise((r) => setTimeout(r, 250));
    }
    const sentWhileStalled = sent;
    assert.ok(sentWhileStalled < total, `sender should be blocked, sent ${sentWhileStalled}`);
    // Now consume slowly through the iterator (which pauses the socket when its queue fills).
    let i = 0;
    for await (const m of s.messages(4)) {
      assert.ok(equalBytes(m, body(i, i % 7 === 3 ? 1000 : MAX_MESSAGE_SIZE)), `message ${i}`);
      i++;
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
      if (i === total) break;
    }
    await sender;
    assert.equal(i, total);
    assert.equal(sent, total);
    c.close('done');
    s.close('done');
  });

  test('garbage instead of act one closes that connection only, with a typed reason', async () => {
    const failP = srv.nextFailure();
    const raw = connect({ host: '127.0.0.1', port: srv.port });
    raw.on('error', () => {});
    await once(raw, 'connect');
    const garbage = sha256(Uint8Array.of(1)); // 32 bytes
    raw.write(Buffer.concat([Buffer.from([0, 4]), garbage, Buffer.alloc(16, 7)])); // version 0, bad key prefix
    const [e] = await Promise.all([failP, once(raw, 'close')]);
    assert.ok(e instanceof NoiseConnectionError);
    assert.equal(e.code, 'ACT1_BAD_PUBKEY');
    // Bad version too.
    const failP2 = srv.nextFailure();
    const raw2 = connect({ host: '127.0.0.1', port: srv.port });
    raw2.on('error', () => {});
    await once(raw2, 'connect');
    raw2.write(Buffer.alloc(50, 1));
    const [e2] = await Promise.all([failP2, once(raw2, 'close')]);
    assert.equal(e2.code, 'ACT1_BAD_VERSION');
    assert.equal(openClients[0]!.isClosed, false);
    await pingPong(srv.port);
  });

  test('a stalled handshake times out and only that connection closes', async () => {
    const slow = await startServer(250);
    try {
      const failP = slow.nextFailure();
      const raw = connect({ host: '127.0.0.1', port: slow.port });
      raw.on('error', () => {});
      await once(raw, 'connect');
      raw.write(Buffer.alloc(20)); // a partial act one, then silence
      const t0 = performance.now();
      const [e] = await Promise.all([failP, once(raw, 'close')]);
      assert.equal(e.code, 'HANDSHAKE_TIMEOUT');
      assert.ok(performance.now() - t0 >= 200);
    } finally {
      await slow.close();
    }
    // The initiator side times out too when the responder never answers.
    const mute = createServer(() => {});
    const muteSockets: Socket[] = [];
    mute.on('connection', (s) => muteSockets.push(s));
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    try {
      await assert.rejects(dial((mute.address() as AddressInfo).port, { handshakeTimeoutMs: 250 }), (e: NoiseConnectionError) => e.code === 'HANDSHAKE_TIMEOUT');
    } finally {
      muteSockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => mute.close(() => r()));
    }
    await pingPong(srv.port);
  });

  test('a bad MAC after the handshake closes that connection with a reason', async () => {
    srv.echo = false;
    const acceptedP = srv.nextAccepted();
    const { sock, session, actThree } = await rawHandshake(srv.port);
    const good = encryptMessage(session.sender, Uint8Array.of(1, 2, 3));
    assert.ok(good.ok);
    // Act three and the first frame in one TCP write: the responder must keep the extra bytes.
    sock.write(Buffer.concat([actThree, good.value]));
    const s = await acceptedP;
    srv.echo = true;
    const got: Uint8Array[] = [];
    s.on('message', (m: Uint8Array) => got.push(m));
    const closed = once(s, 'close') as Promise<[string]>;
    const bad = encryptMessage(session.sender, Uint8Array.of(4, 5, 6));
    assert.ok(bad.ok);
    bad.value[bad.value.length - 1]! ^= 1; // flip a bit of the body MAC
    sock.write(bad.value);
    const [reason] = await closed;
    assert.match(reason, /BAD_MESSAGE_TAG/);
    assert.deepEqual(got, [Uint8Array.of(1, 2, 3)]);
    await once(sock, 'close');
    assert.equal(openClients[0]!.isClosed, false);
    await pingPong(srv.port);
  });

  test('an injected ephemeral key gives the act one of the pure state machine', async () => {
    const ephemeral = new Uint8Array(32).fill(0x12);
    const expected = initiatorStart({ localSecret: clientSecret, remotePubkey: serverPub, ephemeralSecret: ephemeral }).actOne;
    const sink = createServer();
    const seen: Buffer[] = [];
    const got = new Promise<Buffer>((resolve) => {
      sink.on('connection', (sock) => {
        sock.on('data', (d: Buffer) => {
          seen.push(d);
          const all = Buffer.concat(seen);
          if (all.length >= 50) {
            resolve(all);
            sock.destroy();
          }
        });
      });
    });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    try {
      const port = (sink.address() as AddressInfo).port;
      const dialled = dial(port, { ephemeral });
      assert.deepEqual(new Uint8Array(await got), expected);
      await assert.rejects(dialled, (e: NoiseConnectionError) => e.code === 'SOCKET_CLOSED');
      await assert.rejects(dial(port, { ephemeral: new Uint8Array(32) }), (e: NoiseConnectionError) => e.code === 'BAD_ARGUMENT');
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });

  test('dialling with the wrong node id fails the handshake on both sides', async () => {
    const failP = srv.nextFailure();
    const wrong = getPublicKey(new Uint8Array(32).fill(0x55));
    await assert.rejects(dial(srv.port, { remotePubkey: wrong }), (e: NoiseConnectionError) => e.code === 'SOCKET_CLOSED');
    const e = await failP;
    assert.equal(e.code, 'ACT1_BAD_TAG');
    await assert.rejects(dial(srv.port, { remotePubkey: new Uint8Array(33) }), (e: NoiseConnectionError) => e.code === 'BAD_ARGUMENT');
    await pingPong(srv.port);
  });

  test('a throwing message listener closes that connection, not the process', async () => {
    srv.echo = false;
    const acceptedP = srv.nextAccepted();
    const c = await dial(srv.port);
    const s = await acceptedP;
    srv.echo = true;
    s.on('message', () => {
      throw new Error('consumer bug');
    });
    const closed = once(s, 'close') as Promise<[string]>;
    const cClosed = once(c, 'close') as Promise<[string]>;
    await c.send(Uint8Array.of(1));
    const [reason] = await closed;
    assert.match(reason, /consumer bug/);
    const [cReason] = await cClosed;
    assert.equal(typeof cReason, 'string');
    await assert.rejects(c.send(Uint8Array.of(2)), (e: NoiseConnectionError) => e.code === 'SOCKET_CLOSED');
    // onClose after the fact still reports the reason.
    const late = await new Promise<string>((r) => c.onClose(r));
    assert.equal(late, cReason);
    await pingPong(srv.port);
  });

  test('close() delivers the reason locally and the peer sees the connection end', async () => {
    srv.echo = false;
    const acceptedP = srv.nextAccepted();
    const c = await dial(srv.port);
    const s = await acceptedP;
    srv.echo = true;
    const got: Uint8Array[] = [];
    s.on('message', (m: Uint8Array) => got.push(m));
    const sClosed = once(s, 'close') as Promise<[string]>;
    const cClosed = once(c, 'close') as Promise<[string]>;
    await c.send(Uint8Array.of(7, 7));
    c.close('bye');
    const [[cr], [sr]] = await Promise.all([cClosed, sClosed]);
    assert.equal(cr, 'bye');
    assert.equal(sr, 'closed by peer');
    assert.deepEqual(got, [Uint8Array.of(7, 7)]);
  });
});
