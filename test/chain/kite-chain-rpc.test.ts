/**
 * The embedded chain's JSON-RPC, driven in-process through createChainRpc exactly as a
 * bitcoind client would: Bitcoin Core's result shapes and error codes.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { scriptToAddress, parseTx } from '../../src/bitcoin/index.ts';
import { fromHex, toHex } from '../../src/lib/index.ts';
import { RpcError } from '../../src/chain/rpc-types.ts';
import { createChainRpc, descriptorChecksum, FAUCET_SCRIPT, hashToHexString, parseBlock, headerHash } from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, matureChain, newChain, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');
const bobAddr = scriptToAddress(bob.script, 'regtest')!;
const aliceAddr = scriptToAddress(alice.script, 'regtest')!;

async function rejects(p: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RpcError, `expected RpcError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('descriptor checksums follow BIP380', () => {
  // BIP380 "Test Vectors": raw(deadbeef)#89f8spxm is the valid checksum example (BIP text, not in ../shared).
  assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
});

describe('chain queries', () => {
  test('blockchain info, block hashes, headers and blocks', async () => {
    const chain = newChain();
    const rpc = createChainRpc(chain);
    const hashes = (await rpc('generatetoaddress', [3, aliceAddr])) as string[];
    assert.equal(hashes.length, 3);
    const info = (await rpc('getblockchaininfo', [])) as Record<string, unknown>;
    assert.equal(info.chain, 'regtest');
    assert.equal(info.blocks, 3);
    assert.equal(info.headers, 3);
    assert.equal(info.bestblockhash, hashes[2]);
    assert.equal(info.initialblockdownload, false);
    assert.equal(typeof info.mediantime, 'number');
    assert.equal(await rpc('getblockcount', []), 3);
    assert.equal(await rpc('getbestblockhash', []), hashes[2]);
    assert.equal(await rpc('getblockhash', [2]), hashes[1]);
    await rejects(rpc('getblockhash', [4]), -8, /^Block height out of range$/);
    await rejects(rpc('getblockhash', ['x']), -3, /JSON value of type string is not of expected type number/);

    const header = (await rpc('getblockheader', [hashes[1]])) as Record<string, unknown>;
    assert.equal(header.height, 2);
    assert.equal(header.confirmations, 2);
    assert.equal(header.previousblockhash, hashes[0]);
    assert.equal(header.nextblockhash, hashes[2]);
    assert.equal(header.bits, '207fffff');
    const rawHeader = (await rpc('getblockheader', [hashes[1], false])) as string;
    assert.equal(rawHeader.length, 160);

    const hex = (await rpc('getblock', [hashes[1], 0])) as string;
    assert.equal(hashToHexString(headerHash(parseBlock(fromHex(hex)).header)), hashes[1]);
    const b1 = (await rpc('getblock', [hashes[1]])) as Record<string, unknown>;
    assert.equal(b1.height, 2);
    assert.equal((b1.tx as string[]).length, 1);
    assert.equal(b1.nTx, 1);
    assert.ok((b1.weight as number) > 0 && (b1.size as number) >= (b1.strippedsize as number));
    const b2 = (await rpc('getblock', [hashes[1], 2])) as { tx: Record<string, unknown>[] };
    const cb = b2.tx[0] as { txid: string; vin: Record<string, unknown>[]; vout: { value: number; scriptPubKey: Record<string, unknown> }[] };
    assert.equal(cb.txid, (b1.tx as string[])[0]);
    assert.ok(typeof cb.vin[0].coinbase === 'string');
    assert.equal(cb.vout[0].value, 50);
    assert.equal(cb.vout[0].scriptPubKey.address, aliceAddr);
    assert.equal(cb.vout[0].scriptPubKey.type, 'witness_v0_keyhash');
    assert.match(cb.vout[0].scriptPubKey.desc as string, /^addr\(bcrt1[a-z0-9]+\)#[a-z0-9]{8}$/);
    assert.equal(cb.vout[1].scriptPubKey.type, 'nulldata');
    await rejects(rpc('getblock', ['00'.repeat(32)]), -5, /^Block not found$/);
    await rejects(rpc('getblock', ['zz']), -8, /blockhash must be of length 64/);
    await rejects(rpc('nosuchmethod', []), -32601, /^Method not found$/);
    await rejects(rpc('generatetoaddress', [1, 'bc1qnotregtest']), -5, /^Error: Invalid address$/);
  });

  test('transactions through the faucet: mempool, confirmation, lookups', async () => {
    const chain = newChain();
    const rpc = createChainRpc(chain);
    await rpc('kite_mine', [101]);
    const info = (await rpc('kite_faucetinfo', [])) as { address: string; balance: number };
    assert.equal(info.address, scriptToAddress(FAUCET_SCRIPT, 'regtest'));
    assert.ok(info.balance >= 50);
    const txid = (await rpc('kite_faucet', [bobAddr, 1.5])) as string;
    assert.deepEqual(await rpc('getrawmempool', []), [txid]);
    const entry = (await rpc('getmempoolentry', [txid])) as Record<string, unknown>;
    assert.equal(entry.ancestorcount, 1);
    assert.equal(typeof (entry.fees as Record<string, unknown>).base, 'number');
    const verbosePool = (await rpc('getrawmempool', [true])) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(verbosePool), [txid]);
    const pending = (await rpc('getrawtransaction', [txid, true])) as Record<string, unknown>;
    assert.equal(pending.confirmations, undefined);
    const vout = (pending.vout as { value: number; n: number; scriptPubKey: { address?: string } }[]).find((o) => o.scriptPubKey.address === bobAddr)!;
    assert.equal(vout.value, 1.5);
    // gettxout: visible from the mempool unless include_mempool is false.
    assert.equal(((await rpc('gettxout', [txid, vout.n])) as Record<string, unknown>).confirmations, 0);
    assert.equal(await rpc('gettxout', [txid, vout.n, false]), null);
    const hex = (await rpc('getrawtransaction', [txid])) as string;
    const decoded = (await rpc('decoderawtransaction', [hex])) as Record<string, unknown>;
    assert.equal(decoded.txid, txid);
    assert.equal(decoded.vsize, pending.vsize);
    await rejects(rpc('decoderawtransaction', ['00']), -22);

    const [blockHash] = (await rpc('generatetoaddress', [1, aliceAddr])) as string[];
    assert.deepEqual(await rpc('getrawmempool', []), []);
    const confirmed = (await rpc('getrawtransaction', [txid, 1])) as Record<string, unknown>;
    assert.equal(confirmed.blockhash, blockHash);
    assert.equal(confirmed.confirmations, 1);
    const withFee = (await rpc('getrawtransaction', [txid, 2])) as { fee: number; vin: { prevout: { value: number; generated: boolean; height: number } }[]; vout: { value: number }[] };
    assert.ok(withFee.fee > 0);
    // fee = sum(prevout values) - sum(output values)
    const inSum = withFee.vin.reduce((s, i) => s + Math.round(i.prevout.value * 1e8), 0);
    const outSum = withFee.vout.reduce((s, o) => s + Math.round(o.value * 1e8), 0);
    assert.equal(inSum - outSum, Math.round(withFee.fee * 1e8));
    assert.equal(withFee.vin[0].prevout.generated, true);
    const v3 = (await rpc('getblock', [blockHash, 3])) as { tx: { vin: { prevout?: unknown }[] }[] };
    assert.deepEqual(v3.tx[1].vin[0].prevout, withFee.vin[0].prevout);
    const inBlock = (await rpc('getrawtransaction', [txid, true, blockHash])) as Record<string, unknown>;
    assert.equal(inBlock.in_active_chain, true);
    const out = (await rpc('gettxout', [txid, vout.n])) as Record<string, unknown>;
    assert.equal(out.confirmations, 1);
    assert.equal(out.value, 1.5);
    assert.equal(out.coinbase, false);
    await rejects(rpc('getrawtransaction', ['11'.repeat(32)]), -5, /No such mempool or blockchain transaction/);
    await rejects(rpc('getmempoolentry', [txid]), -5, /^Transaction not in mempool$/);
  });
});

describe('broadcasting', () => {
  test('sendrawtransaction results and error codes', async () => {
    const chain = matureChain(alice, 2);
    const rpc = createChainRpc(chain);
    const c1 = coinbaseOf(chain, 1, alice);
    const good = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }]);
    const hex = toHex(good.raw);
    assert.equal(await rpc('sendrawtransaction', [hex]), hashToHexString(good.txid));
    // Idempotent while in the mempool.
    assert.equal(await rpc('sendrawtransaction', [hex]), hashToHexString(good.txid));
    await rpc('generatetoaddress', [1, aliceAddr]);
    await rejects(rpc('sendrawtransaction', [hex]), -27, /^Transaction outputs already in utxo set$/);
    const c2 = coinbaseOf(chain, 2, alice);
    await rejects(rpc('sendrawtransaction', [toHex(spend([c2], [{ value: c2.value - 10n, script: bob.script }]).raw)]), -26, /^min relay fee not met, 10 < \d+$/);
    await rejects(rpc('sendrawtransaction', [toHex(spend([c2], [{ value: c2.value - 5_000_000n, script: bob.script }]).raw)]), -25, /^Fee exceeds maximum configured by user/);
    assert.ok(await rpc('sendrawtransaction', [toHex(spend([c2], [{ value: c2.value - 5_000_000n, script: bob.script }]).raw), 0]));
    const ghost = spend([{ ...c2, txid: new Uint8Array(32).fill(3) }], [{ value: 1_000_000n, script: bob.script }]);
    await rejects(rpc('sendrawtransaction', [toHex(ghost.raw)]), -25, /^bad-txns-inputs-missingorspent$/);
    await rejects(rpc('sendrawtransaction', ['zz']), -22, /^TX decode failed/);
  });

  test('testmempoolaccept and submitpackage shapes', async () => {
    const chain = matureChain(alice, 1);
    const rpc = createChainRpc(chain);
    const c1 = coinbaseOf(chain, 1, alice);
    const ok = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }]);
    const [r] = (await rpc('testmempoolaccept', [[toHex(ok.raw)]])) as Record<string, unknown>[];
    assert.equal(r.allowed, true);
    assert.equal(r.txid, hashToHexString(ok.txid));
    assert.equal(r.wtxid, hashToHexString(ok.wtxid));
    assert.equal((r.fees as Record<string, unknown>).base, 0.0001);
    assert.equal(chain.mempool.size, 0, 'test only');
    const cheap = spend([c1], [{ value: c1.value, script: bob.script }], { version: 3 });
    const [r2] = (await rpc('testmempoolaccept', [[toHex(cheap.raw)]])) as Record<string, unknown>[];
    assert.equal(r2.allowed, false);
    assert.equal(r2['reject-reason'], 'min relay fee not met');
    const child = spend([{ txid: cheap.txid, vout: 0, value: c1.value, key: bob }], [{ value: c1.value - 20_000n, script: alice.script }], { version: 3 });
    const pkg = (await rpc('submitpackage', [[toHex(cheap.raw), toHex(child.raw)]])) as Record<string, unknown>;
    assert.equal(pkg.package_msg, 'success');
    const results = pkg['tx-results'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(results).sort(), [hashToHexString(cheap.wtxid), hashToHexString(child.wtxid)].sort());
    const parentRes = results[hashToHexString(cheap.wtxid)];
    assert.equal(parentRes.txid, hashToHexString(cheap.txid));
    assert.equal(((parentRes.fees as Record<string, unknown>)['effective-includes'] as string[]).length, 2);
    assert.deepEqual(pkg['replaced-transactions'], []);
    assert.equal(chain.mempool.size, 2);
    await rejects(rpc('submitpackage', [[toHex(child.raw), toHex(cheap.raw)]]), -25, /package topology disallowed/);
  });
});

describe('mining and chain control', () => {
  test('generateblock, invalidateblock, reconsiderblock, estimatesmartfee, setmocktime', async () => {
    const chain = matureChain(alice, 1);
    const rpc = createChainRpc(chain);
    const c1 = coinbaseOf(chain, 1, alice);
    const a = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }]);
    const c2 = coinbaseOf(chain, 2, alice);
    const b = spend([c2], [{ value: c2.value - 30_000n, script: bob.script }]);
    await rpc('sendrawtransaction', [toHex(a.raw)]);
    const noBroadcast = (await rpc('generateblock', [bobAddr, [hashToHexString(a.txid), toHex(b.raw)], false])) as Record<string, unknown>;
    assert.equal(typeof noBroadcast.hex, 'string');
    assert.equal(chain.height, 102);
    const { hash } = (await rpc('generateblock', [bobAddr, [hashToHexString(a.txid), toHex(b.raw)]])) as { hash: string };
    assert.equal(await rpc('getbestblockhash', []), hash);
    const block = (await rpc('getblock', [hash, 2])) as { tx: { txid: string; fee?: number }[] };
    assert.deepEqual(block.tx.slice(1).map((t) => t.txid), [hashToHexString(a.txid), hashToHexString(b.txid)]);
    assert.equal(block.tx[1].fee, 0.0001);
    await rejects(rpc('generateblock', [bobAddr, ['22'.repeat(32)]]), -5, /not in mempool/);
    await rejects(rpc('generateblock', [bobAddr, [toHex(a.raw)]]), -25, /^TestBlockValidity failed: bad-txns-inputs-missingorspent/);

    const est = (await rpc('estimatesmartfee', [6])) as { feerate: number; blocks: number };
    assert.ok(est.feerate >= 0.00001);
    assert.equal(est.blocks, 6);
    await rejects(rpc('estimatesmartfee', [0]), -8, /Invalid conf_target/);
    const fresh = createChainRpc(newChain());
    assert.deepEqual(await fresh('estimatesmartfee', [2]), { errors: ['Insufficient data or no feerate found'], blocks: 0 });
    const fallback = createChainRpc(newChain({ fallbackFeeRate: 0.0002 }));
    assert.deepEqual(await fallback('estimatesmartfee', [2]), { feerate: 0.0002, blocks: 2 });

    assert.equal(await rpc('invalidateblock', [hash]), null);
    assert.equal(chain.height, 102);
    assert.deepEqual(((await rpc('getrawmempool', [])) as string[]).sort(), [hashToHexString(a.txid), hashToHexString(b.txid)].sort());
    const tips = (await rpc('getchaintips', [])) as { status: string }[];
    assert.ok(tips.some((t) => t.status === 'invalid'));
    assert.equal(await rpc('reconsiderblock', [hash]), null);
    assert.equal(await rpc('getbestblockhash', []), hash);
    assert.deepEqual(await rpc('getrawmempool', []), []);

    assert.equal(await rpc('setmocktime', [2_000_000_000]), null);
    await rpc('generatetoaddress', [1, aliceAddr]);
    const hdr = (await rpc('getblockheader', [await rpc('getbestblockhash', [])])) as { time: number };
    assert.equal(hdr.time, 2_000_000_000);
    await rejects(rpc('setmocktime', [-1]), -8);
    assert.equal(parseTx(fromHex((await rpc('getrawtransaction', [hashToHexString(a.txid)])) as string)).inputs.length, 1);
  });
});
