import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { p2wpkhScript, parseTx, scriptToAddress, txWeight } from '../../src/bitcoin/index.ts';
import { embeddedBackend } from '../../src/chain/bitcoind/embedded.ts';
import { BlockWatcher, hashToHex, hexToHash } from '../../src/chain/index.ts';
import { RegtestChain, createChainRpc } from '../../src/chain/regtest/index.ts';
import { fromHex, sat } from '../../src/lib/index.ts';
import { MemoryWalletStore, Wallet, mnemonicToSeed } from '../../src/wallet/index.ts';

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const MINER = scriptToAddress(p2wpkhScript(new Uint8Array(20).fill(7)), 'regtest')!;

/** A chain with a funded faucet and a wallet holding two confirmed faucet payments. */
async function setup() {
  let t = 1_700_000_000;
  const chain = new RegtestChain({ clock: () => (t += 2) });
  const rpc = createChainRpc(chain);
  await rpc('kite_mine', [101]);
  const backend = embeddedBackend(chain);
  const wallet = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store: new MemoryWalletStore() });
  await rpc('kite_faucet', [wallet.newAddress().bech32, 0.01]);
  await rpc('kite_faucet', [wallet.newAddress().bech32, 0.02]);
  const mine = async (n = 1): Promise<string[]> => (await rpc('generatetoaddress', [n, MINER])) as string[];
  await mine();
  await wallet.sync();
  return { chain, rpc, backend, wallet, mine };
}

const inMempool = async (rpc: (m: string, p: unknown[]) => Promise<unknown>, txid: string): Promise<boolean> => ((await rpc('getrawmempool', [])) as string[]).includes(txid);

describe('Wallet on the embedded regtest chain (real consensus and mempool policy)', () => {
  test('withdraw passes script validation and policy, then confirms', async () => {
    const { rpc, wallet, mine } = await setup();
    assert.equal(wallet.balance().confirmed, 3_000_000n);
    const r = await wallet.withdraw(MINER, sat(1_200_000n), 1000);
    assert.ok(await inMempool(rpc, r.txid));
    const accept = (await rpc('testmempoolaccept', [[r.tx]])) as { allowed?: boolean; 'reject-reason'?: string }[];
    assert.equal(accept[0]['reject-reason'], 'txn-already-in-mempool');
    await mine();
    await wallet.sync();
    const outs = wallet.listFunds().outputs;
    assert.ok(outs.every((o) => o.status === 'confirmed'));
    assert.equal(wallet.balance().confirmed, 3_000_000n - 1_200_000n - r.fee);
  });

  test('funding output built unbroadcast, then broadcast and confirmed', async () => {
    const { rpc, wallet, mine } = await setup();
    const script = fromHex('0020' + 'ab'.repeat(32));
    const f = wallet.fundTransaction([{ script, value: sat(2_500_000n) }], 253);
    assert.equal(await inMempool(rpc, hashToHex(f.txid)), false);
    await wallet.broadcast(f.tx);
    assert.ok(await inMempool(rpc, hashToHex(f.txid)));
    await mine();
    const out = (await rpc('gettxout', [hashToHex(f.txid), f.outputIndexes[0]])) as { value: number; confirmations: number };
    assert.equal(out.value, 0.025);
    assert.equal(out.confirmations, 1);
  });

  test('RBF replacement is accepted under BIP125 rules', async () => {
    const { rpc, wallet, mine } = await setup();
    const r = await wallet.withdraw(MINER, sat(500_000n), 253);
    const bumped = await wallet.bumpFee(hexToHash(r.txid), 2000);
    assert.equal(await inMempool(rpc, r.txid), false);
    assert.ok(await inMempool(rpc, hashToHex(bumped.txid)));
    assert.ok(Wallet.feerateOf(bumped.tx, bumped.fee) >= 2000);
    await mine();
    await wallet.sync();
    assert.equal(wallet.balance().confirmed, 3_000_000n - 500_000n - bumped.fee);
  });

  test('CPFP child is accepted and pulls the package feerate up', async () => {
    const { rpc, wallet } = await setup();
    const r = await wallet.withdraw(MINER, sat(500_000n), 253);
    const child = await wallet.cpfp(hexToHash(r.txid), 3000);
    assert.ok(await inMempool(rpc, hashToHex(child.txid)));
    const parent = parseTx(fromHex(r.tx));
    const rate = Number(((r.fee + child.fee) * 1000n) / BigInt(txWeight(parent) + txWeight(child.tx)));
    assert.ok(rate >= 3000, `package feerate ${rate}`);
    const entry = (await rpc('getmempoolentry', [hashToHex(child.txid)])) as { depends: string[] };
    assert.deepEqual(entry.depends, [r.txid]);
  });

  test('withdraw all, and a reorg through invalidateblock/reconsiderblock with the watcher', async () => {
    const { rpc, backend, wallet, mine } = await setup();
    const watcher = new BlockWatcher(backend, { watchMempool: true });
    wallet.attach(watcher);
    await watcher.start();
    const r = await wallet.withdraw(MINER, 'all', 1000);
    const [h] = await mine();
    await watcher.poll();
    assert.equal(wallet.listFunds().outputs.length, 0);
    await rpc('invalidateblock', [h]);
    await watcher.poll();
    assert.deepEqual(wallet.listFunds().outputs.map((o) => o.status).sort(), ['spent-pending', 'spent-pending']);
    assert.ok(await inMempool(rpc, r.txid), 'back in the mempool');
    await rpc('reconsiderblock', [h]);
    await watcher.poll();
    assert.equal(wallet.listFunds().outputs.length, 0);
    assert.equal(wallet.height, (await backend.getTip()).height);
  });

  test('P2TR (BIP86) coins are spent with a valid key-path signature', async () => {
    const { rpc, wallet, mine } = await setup();
    const { p2tr } = wallet.newAddress('p2tr');
    await rpc('kite_faucet', [p2tr, 0.05]);
    await mine();
    await wallet.sync();
    const r = await wallet.withdraw(MINER, 'all', 1000);
    assert.ok(parseTx(fromHex(r.tx)).inputs.some((i) => i.witness.length === 1 && i.witness[0].length === 64));
    assert.ok(await inMempool(rpc, r.txid));
    await mine();
    await wallet.sync();
    assert.equal(wallet.listFunds().outputs.length, 0);
  });
});
