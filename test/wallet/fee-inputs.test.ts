/**
 * Wallet coins as fee inputs of transactions the wallet does not build (the anchors case:
 * zero-fee HTLC-success/timeout transactions whose counterparty signature is
 * SIGHASH_SINGLE|ANYONECANPAY, and anchor CPFP children), on the embedded regtest chain with
 * its real consensus checks and mempool policy.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SIGHASH_ANYONECANPAY,
  SIGHASH_SINGLE,
  p2wpkhScript,
  p2wshScript,
  scriptToAddress,
  segwitV0SigHash,
  serializeTx,
  txWeight,
  txid as computeTxid,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';
import { embeddedBackend } from '../../src/chain/bitcoind/embedded.ts';
import { hashToHex, hexToHash, outpointKey } from '../../src/chain/index.ts';
import { RegtestChain, createChainRpc } from '../../src/chain/regtest/index.ts';
import { getPublicKey, signEcdsa, signatureToDer } from '../../src/crypto/index.ts';
import { KiteError, concatBytes, sat, toHex } from '../../src/lib/index.ts';
import type { FeeInput } from '../../src/onchain/index.ts';
import { MemoryWalletStore, P2WPKH_OUTPUT_WEIGHT, WALLET_ERRORS, Wallet, feeForWeight, mnemonicToSeed, type WalletFeeInput } from '../../src/wallet/index.ts';

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const MINER = scriptToAddress(p2wpkhScript(new Uint8Array(20).fill(7)), 'regtest')!;
/** Weight of an input without its witness (outpoint, empty scriptSig, sequence). */
const INPUT_BASE_WEIGHT = 41 * 4;
const FEERATE = 2500; // sat/kw = 10 sat/vB

// The "counterparty": a P2WSH `<pubkey> OP_CHECKSIG` output the wallet does not own.
const THEIR_KEY = new Uint8Array(32).fill(0x11);
const WITNESS_SCRIPT = concatBytes(new Uint8Array([0x21]), getPublicKey(THEIR_KEY), new Uint8Array([0xac]));
const FOREIGN_SCRIPT = p2wshScript(WITNESS_SCRIPT);
const DEST_SCRIPT = p2wshScript(new Uint8Array([0x51])); // where the "HTLC transaction" pays (OP_TRUE)

type Rpc = (m: string, p: unknown[]) => Promise<unknown>;

/** A chain with a wallet holding two confirmed faucet payments (0.01 and 0.02 BTC) and a confirmed foreign output. */
async function setup() {
  let t = 1_700_000_000;
  const chain = new RegtestChain({ clock: () => (t += 2) });
  const rpc: Rpc = createChainRpc(chain);
  await rpc('kite_mine', [101]);
  const backend = embeddedBackend(chain);
  const store = new MemoryWalletStore();
  const wallet = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store });
  await rpc('kite_faucet', [wallet.newAddress().bech32, 0.01]);
  await rpc('kite_faucet', [wallet.newAddress().bech32, 0.02]);
  const foreignTxid = hexToHash((await rpc('kite_faucet', [scriptToAddress(FOREIGN_SCRIPT, 'regtest'), 0.005])) as string);
  const mine = async (n = 1): Promise<string[]> => (await rpc('generatetoaddress', [n, MINER])) as string[];
  await mine();
  await wallet.sync();
  const found = await backend.getTransaction(foreignTxid);
  const vout = found!.tx.outputs.findIndex((o) => toHex(o.script) === toHex(FOREIGN_SCRIPT));
  const foreign = { txid: foreignTxid, vout, value: found!.tx.outputs[vout].value };
  return { chain, rpc, backend, store, wallet, mine, foreign };
}

/**
 * zeroFeeTx is the counterparty-signed zero-fee 1-in-1-out transaction (the anchors HTLC
 * transaction's shape): input 0 spends the foreign output, output 0 carries all of it, and
 * the signature is SIGHASH_SINGLE|ANYONECANPAY, so inputs and outputs can be added after it.
 */
function zeroFeeTx(foreign: { txid: Uint8Array; vout: number; value: bigint }): Tx {
  const tx: Tx = {
    version: 2,
    locktime: 0,
    inputs: [{ txid: foreign.txid, vout: foreign.vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: [{ value: foreign.value, script: DEST_SCRIPT }],
  };
  const hashType = SIGHASH_SINGLE | SIGHASH_ANYONECANPAY;
  const digest = segwitV0SigHash(tx, 0, WITNESS_SCRIPT, foreign.value, hashType);
  tx.inputs[0].witness = [concatBytes(signatureToDer(signEcdsa(digest, THEIR_KEY)), new Uint8Array([hashType])), WITNESS_SCRIPT];
  return tx;
}

/**
 * withFeeInputs appends fee inputs and a change output as onchain's addHtlcTxFeeInputs does
 * (input 0 / output 0 untouched), paying `feerate` on the expected weight.
 */
function withFeeInputs(base: Tx, feeInputs: readonly FeeInput[], changeScript: Uint8Array, feerate: number): { tx: Tx; fee: bigint; expectedWeight: number } {
  const expectedWeight = txWeight(base) + feeInputs.reduce((a, f) => a + INPUT_BASE_WEIGHT + f.witnessWeight, 0) + P2WPKH_OUTPUT_WEIGHT;
  const fee = feeForWeight(expectedWeight, feerate);
  const total = feeInputs.reduce((a, f) => a + f.value, 0n);
  const tx: Tx = {
    ...base,
    inputs: [...base.inputs, ...feeInputs.map((f) => ({ txid: f.outpoint.txid, vout: f.outpoint.vout, scriptSig: new Uint8Array(0), sequence: f.sequence ?? 0xfffffffd, witness: [] }))],
    outputs: [...base.outputs, { value: total - fee, script: changeScript }],
  };
  return { tx, fee, expectedWeight };
}

const hex = (tx: Tx): string => toHex(serializeTx(tx));
const accept = async (rpc: Rpc, tx: Tx): Promise<{ allowed?: boolean; 'reject-reason'?: string }> => ((await rpc('testmempoolaccept', [[hex(tx)]])) as { allowed?: boolean; 'reject-reason'?: string }[])[0];
const inMempool = async (rpc: Rpc, id: Uint8Array): Promise<boolean> => ((await rpc('getrawmempool', [])) as string[]).includes(hashToHex(id));

describe('Wallet fee inputs for transactions the wallet does not build', () => {
  test('a zero-fee SINGLE|ANYONECANPAY transaction gets fee inputs and change, is accepted at the target feerate, and the wallet books it', async () => {
    const { rpc, wallet, mine, foreign } = await setup();
    const base = zeroFeeTx(foreign);
    const zero = await accept(rpc, base);
    assert.equal(zero.allowed, false, 'zero-fee alone is below the minimum relay fee');

    // The fee of the base transaction; the inputs pay their own weight and the change's.
    const feeInputs: FeeInput[] = wallet.selectFeeInputs(feeForWeight(txWeight(base), FEERATE), { feerate: FEERATE, reserveFor: 'htlc-success test' });
    assert.equal(feeInputs.length, 1, 'one coin suffices');
    assert.equal(feeInputs[0].value, 1_000_000n, 'the smallest coin that covers it');
    assert.equal(feeInputs[0].witnessWeight, 108);
    assert.equal(feeInputs[0].sequence, undefined);
    assert.equal(wallet.balance().reserved, 1_000_000n);
    assert.ok(wallet.listFunds().outputs.find((o) => o.txid === hashToHex(feeInputs[0].outpoint.txid) && o.output === feeInputs[0].outpoint.vout)!.reserved);

    const change = wallet.changeScript();
    assert.ok(wallet.isMine(change));
    const built = withFeeInputs(base, feeInputs, change, FEERATE);
    const signed = wallet.signWalletInputs(built.tx);
    assert.deepEqual(signed.inputs[0].witness, base.inputs[0].witness, 'the foreign witness is left as is');
    assert.equal(built.tx.inputs[1].witness.length, 0, 'the input transaction is not modified');
    assert.equal(signed.inputs[1].witness.length, 2);
    assert.equal(signed.inputs[1].witness[0].at(-1), 0x01, 'SIGHASH_ALL');
    const weight = txWeight(signed);
    assert.ok(weight <= built.expectedWeight, `weight ${weight} within the estimate ${built.expectedWeight}`);
    assert.ok(Number((built.fee * 1000n) / BigInt(weight)) >= FEERATE);

    const ok = await accept(rpc, signed);
    assert.equal(ok.allowed, true, ok['reject-reason']);
    const id = await wallet.broadcast(signed);
    assert.deepEqual(id, computeTxid(signed));
    assert.ok(await inMempool(rpc, id));
    const entry = (await rpc('getmempoolentry', [hashToHex(id)])) as { weight: number; fees: { base: number } };
    assert.equal(BigInt(Math.round(entry.fees.base * 1e8)), built.fee);
    assert.ok((Math.round(entry.fees.base * 1e8) * 1000) / entry.weight >= FEERATE);

    // The wallet saw its coin spent and the change arrive.
    const changeValue = 1_000_000n - built.fee;
    assert.deepEqual(wallet.balance(), { confirmed: 2_000_000n, unconfirmed: changeValue, reserved: 0n });
    const spent = wallet.getUtxo(feeInputs[0].outpoint)!;
    assert.deepEqual(spent.spentBy, id);
    assert.equal(spent.reservedFor, null);
    assert.equal(wallet.getUtxo({ txid: id, vout: 1 })!.value, changeValue);

    await mine();
    await wallet.sync();
    assert.deepEqual(wallet.balance(), { confirmed: 2_000_000n + changeValue, unconfirmed: 0n, reserved: 0n });
    assert.equal(wallet.listFunds().outputs.length, 2);
    // The change is spendable like any coin.
    const r = await wallet.withdraw(MINER, 'all', 1000);
    assert.ok(await inMempool(rpc, hexToHash(r.txid)));
  });

  test('a transaction with fee inputs sent by someone else is found by sync (mempool, then block)', async () => {
    const { rpc, wallet, mine, foreign } = await setup();
    const base = zeroFeeTx(foreign);
    const feeInputs = wallet.selectFeeInputs(sat(5000n));
    const built = withFeeInputs(base, feeInputs, wallet.changeScript(), FEERATE);
    const signed = wallet.signWalletInputs(built.tx);
    await rpc('sendrawtransaction', [hex(signed)]);
    await wallet.sync();
    const changeValue = feeInputs[0].value - built.fee;
    assert.deepEqual(wallet.balance(), { confirmed: 3_000_000n - feeInputs[0].value, unconfirmed: changeValue, reserved: 0n });
    await mine();
    await wallet.sync();
    assert.deepEqual(wallet.balance(), { confirmed: 3_000_000n - built.fee, unconfirmed: 0n, reserved: 0n });
  });

  test('P2TR coins as fee inputs: 66 WU witness, signed with all prevouts', async () => {
    const { rpc, wallet, mine, foreign } = await setup();
    await rpc('kite_faucet', [wallet.newAddress('p2tr').p2tr, 0.05]);
    await mine();
    await wallet.sync();
    const base = zeroFeeTx(foreign);
    const feeInputs = wallet.selectFeeInputs(sat(4_000_000n), { feerate: FEERATE });
    assert.equal(feeInputs.length, 1);
    assert.equal(feeInputs[0].value, 5_000_000n);
    assert.equal(feeInputs[0].witnessWeight, 66);
    const built = withFeeInputs(base, feeInputs, wallet.changeScript(), FEERATE);
    assert.throws(() => wallet.signWalletInputs(built.tx), (e: unknown) => e instanceof KiteError && /prevouts/.test(e.message));
    const prevouts: TxOut[] = [{ value: foreign.value, script: FOREIGN_SCRIPT }, ...feeInputs.map((f) => ({ value: f.value as bigint, script: wallet.getUtxo(f.outpoint)!.script }))];
    const signed = wallet.signWalletInputs(built.tx, prevouts);
    assert.equal(signed.inputs[1].witness[0].length, 64);
    assert.ok(txWeight(signed) <= built.expectedWeight);
    await wallet.broadcast(signed);
    assert.ok(await inMempool(rpc, computeTxid(signed)));
    await mine();
    await wallet.sync();
    assert.equal(wallet.balance().confirmed, 3_000_000n + 5_000_000n - built.fee);
  });

  test('reserved fee inputs are not picked by a concurrent fundTransaction; releaseFeeInputs frees them', async () => {
    const { backend, store, wallet } = await setup();
    const script = p2wshScript(new Uint8Array([0x52]));
    const feeInputs = wallet.selectFeeInputs(sat(1_500_000n));
    assert.equal(feeInputs.length, 1);
    assert.equal(feeInputs[0].value, 2_000_000n);
    const reservedKey = outpointKey(feeInputs[0].outpoint);
    assert.deepEqual(wallet.balance(), { confirmed: 1_000_000n, unconfirmed: 0n, reserved: 2_000_000n });
    const reopened = await Wallet.open({ seed: mnemonicToSeed(MNEMONIC), network: 'regtest', chain: backend, store });
    assert.equal(reopened.balance().reserved, 2_000_000n, 'the reservation is persisted');

    assert.throws(
      () => wallet.fundTransaction([{ script, value: sat(1_500_000n) }], 253),
      (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD,
    );
    const f = wallet.fundTransaction([{ script, value: sat(500_000n) }], 253);
    assert.ok(f.inputs.every((i) => outpointKey(i) !== reservedKey));
    // Fee inputs do not take coins reserved by a funding transaction either.
    assert.throws(
      () => wallet.selectFeeInputs(sat(1000n)),
      (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD,
    );
    // A wallet-built reservation is not releasable through releaseFeeInputs, nor signable into another tx.
    wallet.releaseFeeInputs(f.inputs.map((o) => ({ outpoint: o })));
    assert.notEqual(wallet.getUtxo(f.inputs[0])!.reservedFor, null);
    const other: Tx = {
      version: 2,
      locktime: 0,
      inputs: [{ txid: f.inputs[0].txid, vout: f.inputs[0].vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
      outputs: [{ value: 900_000n, script }],
    };
    assert.throws(() => wallet.signWalletInputs(other), /belongs to the wallet's transaction/);
    wallet.release(f.txid);

    wallet.releaseFeeInputs(feeInputs);
    assert.equal(wallet.getUtxo(feeInputs[0].outpoint)!.reservedFor, null);
    assert.deepEqual(wallet.balance(), { confirmed: 3_000_000n, unconfirmed: 0n, reserved: 0n });
    const g = wallet.fundTransaction([{ script, value: sat(1_500_000n) }], 253);
    assert.ok(g.inputs.some((i) => outpointKey(i) === reservedKey));
  });

  test('cannot afford: FUND_CANNOT_AFFORD and nothing reserved', async () => {
    const { wallet } = await setup();
    assert.throws(
      () => wallet.selectFeeInputs(sat(3_000_001n)),
      (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD,
    );
    // Enough value, but not once the inputs pay for themselves at the feerate.
    assert.throws(
      () => wallet.selectFeeInputs(sat(2_999_990n), { feerate: FEERATE }),
      (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD,
    );
    assert.equal(wallet.balance().reserved, 0n);
    assert.equal(wallet.selectFeeInputs(sat(2_999_990n)).length, 2, 'two coins when one does not suffice');
    assert.throws(() => wallet.selectFeeInputs(sat(0n)), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.INVALID_PARAMS);
  });

  test('unconfirmed coins need minConf 0; reservations expire after reserveBlocks', async () => {
    const { rpc, wallet, mine } = await setup();
    const all = wallet.selectFeeInputs(sat(2_500_000n), { reserveBlocks: 2 });
    assert.equal(all.length, 2);
    await rpc('kite_faucet', [wallet.newAddress().bech32, 0.001]);
    await wallet.sync();
    assert.throws(() => wallet.selectFeeInputs(sat(1000n)), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.FUND_CANNOT_AFFORD);
    const unconf = wallet.selectFeeInputs(sat(1000n), { minConf: 0 });
    assert.equal(unconf[0].value, 100_000n);
    wallet.releaseFeeInputs(unconf);
    await mine(2);
    await wallet.sync();
    assert.equal(wallet.balance().reserved, 2_000_000n + 1_000_000n, 'still reserved through the last block');
    await mine();
    await wallet.sync();
    assert.equal(wallet.balance().reserved, 0n, 'expired');
  });

  test('signWalletInputs refuses what it cannot or must not sign', async () => {
    const { wallet, foreign } = await setup();
    const base = zeroFeeTx(foreign);
    assert.throws(() => wallet.signWalletInputs(base), (e: unknown) => e instanceof KiteError && e.code === WALLET_ERRORS.UNKNOWN_TX);
    assert.throws(() => wallet.signWalletInputs(base, undefined, { inputs: [0] }), /not a coin this wallet tracks/);
    const feeInputs = wallet.selectFeeInputs(sat(5000n));
    const built = withFeeInputs(base, feeInputs, wallet.changeScript(), FEERATE);
    // A prevout paying one of our scripts whose coin the wallet does not know.
    const bogus: TxOut[] = [{ value: foreign.value, script: wallet.changeScript() }, { value: feeInputs[0].value, script: wallet.getUtxo(feeInputs[0].outpoint)!.script }];
    assert.throws(() => wallet.signWalletInputs(built.tx, bogus), /inputs\[0\]: .* not a coin this wallet tracks/);
    // Prevouts that disagree with the wallet's coin, or of the wrong length.
    const wrong: TxOut[] = [{ value: foreign.value, script: FOREIGN_SCRIPT }, { value: feeInputs[0].value + 1n, script: wallet.getUtxo(feeInputs[0].outpoint)!.script }];
    assert.throws(() => wallet.signWalletInputs(built.tx, wrong), /prevouts\[1\]/);
    assert.throws(() => wallet.signWalletInputs(built.tx, wrong.slice(0, 1)), /prevouts: expected one per input/);
  });

  test('WalletFeeInput is onchain FeeInput', () => {
    const w: WalletFeeInput = { outpoint: { txid: new Uint8Array(32), vout: 0 }, value: sat(1n), witnessWeight: 108 };
    const f: FeeInput = w;
    const back: WalletFeeInput = f;
    assert.equal(back.witnessWeight, 108);
  });
});
