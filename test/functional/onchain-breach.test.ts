/**
 * Functional (BOLT #5 "Revoked Transaction Close Handling"), two real `kited` on kite-chain.
 * Alice cheats on purpose (developer mode): she publishes one of her revoked commitments.
 *  1. Bob is online and takes everything with a penalty transaction, well inside the delay.
 *  2. A revoked commitment carrying HTLC outputs, published while Bob is offline; Bob comes
 *     back before the delay ends, finds it, is restarted again in the middle of sweeping, and
 *     still takes every output.
 * Each time the cheater gets nothing from the channel, and the victim's wallet receives the
 * whole channel less the fees of the commitment and the penalty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { nobody, payInvoice, useCluster, walletSat } from './harness.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';

const MINER = nobody(0x43);

const cluster = useCluster();

async function channels(d: Daemon, peer: string): Promise<any[]> {
  return ((await d.rpc.call('listpeerchannels', { id: peer })) as { channels: any[] }).channels;
}

async function openChannel(alice: Daemon, bob: Daemon, sat: number): Promise<string> {
  const r = (await alice.rpc.call('fundchannel', { id: bob.id, amount: sat })) as { channel_id: string };
  await alice.rpc.call('generate', { blocks: 3, address: MINER });
  await waitFor('channel normal', async () => {
    const a = (await channels(alice, bob.id)).find((c) => c.channel_id === r.channel_id);
    const b = (await channels(bob, alice.id)).find((c) => c.channel_id === r.channel_id);
    return a?.state === 'CHANNELD_NORMAL' && b?.state === 'CHANNELD_NORMAL';
  }, 60_000);
  return r.channel_id;
}

/** resolved waits (mining a block per try) until `d` lists the channel as closed and resolved. */
async function resolved(miner: Daemon, d: Daemon, channelId: string): Promise<any> {
  return waitFor(`${d.name} resolves ${channelId.slice(0, 8)}`, async () => {
    const closed = ((await d.rpc.call('listclosedchannels', {})) as { closedchannels: any[] }).closedchannels.find((c) => c.channel_id === channelId);
    if (closed) return closed;
    await miner.rpc.call('generate', { blocks: 1, address: MINER });
    return null;
  }, 90_000, 600);
}

test('a cheater publishing a revoked commitment loses the whole channel', { timeout: 420_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--log-level=debug', '--developer'];
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  let bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await alice.rpc.call('faucet', { satoshi: 3_000_000 });
  await alice.rpc.call('generate', { blocks: 1, address: MINER });
  await alice.rpc.call('connect', { id: `${bob.id}@127.0.0.1:${bob.port}` });

  // 1. Bob online: an old state without HTLCs, where Alice had everything.
  const ch1 = await openChannel(alice, bob, 500_000);
  await payInvoice(alice, bob, 200_000_000, 'a1');
  await payInvoice(alice, bob, 100_000_000, 'a2');
  const bobBefore = await walletSat(bob);
  const cheat = (await alice.rpc.call('dev-publish-revoked', { id: ch1 })) as { txid: string; tx: string; number: number; to_us_msat: string };
  assert.ok(BigInt(cheat.to_us_msat) > 300_000_000n, 'the published state paid Alice more than the current one');
  const commitment = parseTx(fromHex(cheat.tx));
  const onChain = commitment.outputs.reduce((s, o) => s + o.value, 0n);
  await alice.rpc.call('generate', { blocks: 1, address: MINER });
  const closed1 = await resolved(alice, bob, ch1);
  assert.equal(closed1.close.kind, 'remote_revoked');
  assert.ok(bob.logs.some((l) => /label=penalty/.test(l)), 'bob broadcast a penalty');
  const gotBob = (await walletSat(bob)) - bobBefore;
  // Everything on the commitment but the anchors (330 sat each, anyone's after 16 blocks), less the penalty fee.
  assert.ok(gotBob > onChain - 660n - 5_000n && gotBob <= onChain, `bob took ${gotBob} of ${onChain}`);
  // Alice's resolver only raises the alarm about her own revoked commitment; she recovers nothing.
  assert.ok(alice.logs.some((l) => /local_revoked/.test(l)));

  // 2. A revoked commitment with HTLCs, while Bob is offline; Bob restarts mid-sweep.
  const ch2 = await openChannel(alice, bob, 600_000);
  await bob.rpc.call('dev-hold-htlcs', { hold: true });
  const held = (await bob.rpc.call('invoice', { amount_msat: 30_000_000, label: 'held', description: 'held' })) as { bolt11: string };
  const pending = alice.rpc.call('pay', { bolt11: held.bolt11 }).catch(() => null);
  await waitFor('the HTLC sits on both commitments', async () => (await channels(alice, bob.id)).find((c) => c.channel_id === ch2)?.htlcs.length === 1 && (await channels(bob, alice.id)).find((c) => c.channel_id === ch2)?.htlcs.length === 1);
  await bob.rpc.call('dev-hold-htlcs', { hold: false }); // the fulfill goes: that state gets revoked
  await pending;
  await payInvoice(alice, bob, 250_000_000, 'b2');
  // Let the update dance finish: Bob can only punish states whose revocation he received.
  await waitFor('the dance is over on both sides', async () => {
    const a = (await channels(alice, bob.id)).find((c) => c.channel_id === ch2);
    const b = (await channels(bob, alice.id)).find((c) => c.channel_id === ch2);
    return a.htlcs.length === 0 && b.htlcs.length === 0 && BigInt(a.to_us_msat) + BigInt(b.to_us_msat) === 600_000_000n && BigInt(b.to_us_msat) === 280_000_000n;
  });
  await new Promise((r) => setTimeout(r, 500));
  const bobDir = bob.dir;
  const bobPort = bob.port;
  await bob.stop();
  const cheat2 = (await alice.rpc.call('dev-publish-revoked', { id: ch2, htlcs: true })) as { txid: string; tx: string; number: number };
  const commitment2 = parseTx(fromHex(cheat2.tx));
  assert.ok(commitment2.outputs.length > 4, 'the published commitment carries an HTLC output');
  const onChain2 = commitment2.outputs.reduce((s, o) => s + o.value, 0n);
  await alice.rpc.call('generate', { blocks: 20, address: MINER }); // Bob misses 20 of the 144 blocks
  bob = await startDaemon('bob', [...args, `--bind-addr=127.0.0.1:${bobPort}`], bobDir);
  cluster.daemons.push(bob);
  const bobStart = await walletSat(bob);
  await waitFor('bob finds the breach and broadcasts the penalty', () => bob.logs.some((l) => /label=penalty/.test(l)), 60_000);
  // Restart in the middle of sweeping: the penalty is in the mempool, not yet mined.
  await bob.stop();
  bob = await startDaemon('bob', [...args, `--bind-addr=127.0.0.1:${bobPort}`], bobDir);
  cluster.daemons.push(bob);
  const closed2 = await resolved(alice, bob, ch2);
  assert.equal(closed2.close.kind, 'remote_revoked');
  const gotBob2 = (await walletSat(bob)) - bobStart;
  assert.ok(gotBob2 > onChain2 - 660n - 8_000n && gotBob2 <= onChain2, `bob took ${gotBob2} of ${onChain2}`);
});
