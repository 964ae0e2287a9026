/**
 * `npm run demo`: Kite's main job, shown step by step for a person watching. Two real
 * `kited` processes start on loopback, find each other over TCP, authenticate with the
 * Noise protocol (BOLT 8), exchange init (BOLT 1), ping, and shut down.
 */
import { rmSync } from 'node:fs';
import { startDaemon, type Daemon } from './lib/processes.ts';

const step = (n: number, text: string): void => console.log(`\n[${n}] ${text}`);
const show = (label: string, v: unknown): void => console.log(`    ${label}: ${JSON.stringify(v)}`);

async function main(): Promise<void> {
  const started: Daemon[] = [];
  try {
    step(1, 'Starting two Kite nodes (alice and bob) on the embedded regtest network');
    const alice = await startDaemon('alice');
    started.push(alice);
    const bob = await startDaemon('bob');
    started.push(bob);
    show('alice', { id: alice.id, port: alice.port });
    show('bob', { id: bob.id, port: bob.port });

    step(2, `alice connects to bob: kite connect ${bob.id.slice(0, 12)}...@127.0.0.1:${bob.port}`);
    const c = alice.cli('connect', `${bob.id}@127.0.0.1:${bob.port}`);
    if (c.status !== 0) throw new Error(`connect failed: ${c.stderr}`);
    show('connected', { id: c.json.id, features: c.json.features });

    step(3, 'Both sides list each other as peers, with the features they negotiated');
    const pa = alice.cli('listpeers').json.peers[0];
    const pb = bob.cli('listpeers').json.peers[0];
    show('alice sees', { id: pa.id, connected: pa.connected, direction: pa.direction });
    show('bob sees', { id: pb.id, connected: pb.connected, direction: pb.direction });

    step(4, 'alice pings bob through the encrypted link');
    const p = alice.cli('ping', bob.id, '64');
    show('pong', p.json);

    step(5, 'alice disconnects; bob notices');
    alice.cli('disconnect', bob.id);
    await new Promise((r) => setTimeout(r, 300));
    show('bob peers', bob.cli('listpeers').json.peers.length);
    console.log('\nDemo finished: both nodes stop now.');
  } finally {
    for (const d of started) {
      await d.stop();
      rmSync(d.dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
