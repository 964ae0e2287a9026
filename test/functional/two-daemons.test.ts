/**
 * Functional: two real `kited` processes on loopback, driven by the `kite` CLI. They connect
 * over BOLT 8, show each other in listpeers with the negotiated features, ping, disconnect,
 * and shrug off a socket that sends garbage. The HTTP RPC answers only with the token.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, cleanup, waitFor, type Daemon } from '../../scripts/lib/processes.ts';

const daemons: Daemon[] = [];
after(async () => {
  for (const d of daemons) {
    await d.stop();
    cleanup(d);
  }
});

test('two daemons connect, ping, survive garbage, and disconnect', { timeout: 120_000 }, async () => {
  const alice = await startDaemon('alice');
  daemons.push(alice);
  const bob = await startDaemon('bob');
  daemons.push(bob);

  const info = alice.cli('getinfo');
  assert.equal(info.status, 0);
  assert.equal(info.json.id, alice.id);
  assert.equal(info.json.network, 'regtest');

  const c = alice.cli('connect', `${bob.id}@127.0.0.1:${bob.port}`);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(c.json.id, bob.id);

  const pa = alice.cli('listpeers').json.peers;
  assert.equal(pa.length, 1);
  assert.equal(pa[0].id, bob.id);
  assert.equal(pa[0].connected, true);
  assert.equal(pa[0].direction, 'out');
  assert.ok(pa[0].features.length > 0, 'negotiated features are shown');
  const pb = await waitFor('bob sees alice', () => bob.cli('listpeers').json.peers.find((p: any) => p.id === alice.id && p.connected));
  assert.equal(pb.direction, 'in');

  const ping = alice.cli('ping', bob.id, '200');
  assert.equal(ping.status, 0, ping.stderr);
  assert.equal(ping.json.totlen, 204);

  // A socket that sends garbage to bob: that connection dies, alice's stays.
  await new Promise<void>((resolve) => {
    const s = net.connect(bob.port, '127.0.0.1', () => s.write(Buffer.alloc(200, 0xab)));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
    setTimeout(() => {
      s.destroy();
      resolve();
    }, 5000);
  });
  const again = alice.cli('ping', bob.id);
  assert.equal(again.status, 0, 'the real peer is undisturbed');
  assert.equal(bob.cli('listpeers').json.peers.filter((p: any) => p.connected).length, 1);

  // Bad arguments get a clear error naming the argument, and a non-zero exit.
  const bad = alice.cli('ping', 'nothex');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /'id'/);
  const unknown = alice.cli('ping', '02' + '11'.repeat(32));
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /not connected/);

  // HTTP RPC: the token opens it; nothing else does.
  const token = readFileSync(join(alice.dir, 'regtest', 'rpc-token'), 'utf8').trim();
  const ok = await fetch(`http://127.0.0.1:${alice.httpPort}/v1/getinfo`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { id: string }).id, alice.id);
  const denied = await fetch(`http://127.0.0.1:${alice.httpPort}/v1/getinfo`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
  assert.equal(denied.status, 401);

  const d = alice.cli('disconnect', bob.id);
  assert.equal(d.status, 0, d.stderr);
  await waitFor('bob sees alice gone', () => bob.cli('listpeers').json.peers.every((p: any) => !p.connected));
  assert.equal(alice.cli('listpeers').json.peers.length, 0);
});

test('a kept peer is reconnected after the other side restarts', { timeout: 120_000 }, async () => {
  const carol = await startDaemon('carol');
  daemons.push(carol);
  let dave = await startDaemon('dave');
  assert.equal(carol.cli('connect', `${dave.id}@127.0.0.1:${dave.port}`).status, 0);
  await dave.stop();
  await waitFor('carol sees dave gone', () => carol.cli('listpeers').json.peers.every((p: any) => !p.connected));
  // Same data dir and port: same node id.
  const port = dave.port;
  dave = await startDaemon('dave', [`--bind-addr=127.0.0.1:${port}`], dave.dir);
  daemons.push(dave);
  await waitFor('carol reconnects', () => carol.cli('listpeers').json.peers.some((p: any) => p.id === dave.id && p.connected), 30_000, 250);
});
