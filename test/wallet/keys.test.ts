import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../src/lib/index.ts';
import { WalletKeys, bip86Tweak, coinType } from '../../src/wallet/keys.ts';
import { generateMnemonic, mnemonicToSeed, validateMnemonic } from '../../src/wallet/seed.ts';
import { MNEMONIC_FILE, loadOrCreateWalletSeed } from '../../src/wallet/file-store.ts';

// BIP84 "Test vectors" section (https://github.com/bitcoin/bips/blob/master/bip-0084.mediawiki);
// these are published only in the BIP, not in ../shared, so they are quoted here.
const BIP84 = {
  mnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
  receive: [
    { path: "m/84'/0'/0'/0/0", pubkey: '0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c', address: 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu' },
    { path: "m/84'/0'/0'/0/1", pubkey: '03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77', address: 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g' },
  ],
  change: [{ path: "m/84'/0'/0'/1/0", pubkey: '03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6', address: 'bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el' }],
};

describe('BIP84 key derivation', () => {
  const keys = new WalletKeys(mnemonicToSeed(BIP84.mnemonic), 'bitcoin');

  test('receive addresses match BIP84', () => {
    BIP84.receive.forEach((v, i) => {
      const k = keys.derive(0, i);
      assert.equal(k.path, v.path);
      assert.equal(toHex(k.publicKey), v.pubkey);
      assert.equal(k.address, v.address);
    });
  });

  test('change address matches BIP84', () => {
    const k = keys.derive(1, 0);
    assert.equal(k.path, BIP84.change[0].path);
    assert.equal(toHex(k.publicKey), BIP84.change[0].pubkey);
    assert.equal(k.address, BIP84.change[0].address);
  });

  test('test networks use coin type 1 and their own prefix', () => {
    assert.equal(coinType('bitcoin'), 0);
    assert.equal(coinType('regtest'), 1);
    const rk = new WalletKeys(mnemonicToSeed(BIP84.mnemonic), 'regtest').derive(0, 0);
    assert.equal(rk.path, "m/84'/1'/0'/0/0");
    assert.match(rk.address, /^bcrt1q/);
    assert.notEqual(toHex(rk.publicKey), BIP84.receive[0].pubkey);
    const tk = new WalletKeys(mnemonicToSeed(BIP84.mnemonic), 'testnet').derive(0, 0);
    assert.match(tk.address, /^tb1q/);
    assert.equal(toHex(tk.publicKey), toHex(rk.publicKey));
  });
});

// BIP86 "Test vectors" (https://github.com/bitcoin/bips/blob/master/bip-0086.mediawiki), same
// mnemonic; published only in the BIP, so quoted here.
const BIP86 = [
  { path: "m/86'/0'/0'/0/0", internal: 'cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115', output: 'a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c', address: 'bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr' },
  { path: "m/86'/0'/0'/0/1", internal: '83dfe85a3151d2517290da461fe2815591ef69f2b18a2ce63f01697a8b313145', output: 'a82f29944d65b86ae6b5e5cc75e294ead6c59391a1edc5e016e3498c67fc7bbb', address: 'bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh' },
];

describe('BIP86 key derivation (P2TR)', () => {
  const keys = new WalletKeys(mnemonicToSeed(BIP84.mnemonic), 'bitcoin', 0, 'p2tr');
  test('receive keys, output keys and addresses match BIP86', () => {
    BIP86.forEach((v, i) => {
      const k = keys.derive(0, i);
      assert.equal(k.path, v.path);
      assert.equal(toHex(k.publicKey.subarray(1)), v.internal);
      assert.equal(toHex(k.script), '5120' + v.output);
      assert.equal(k.address, v.address);
      const tw = bip86Tweak(k.privateKey);
      assert.equal(toHex(tw.outputKey), v.output);
      assert.deepEqual(tw.tweakedPrivateKey, k.signingKey);
    });
  });
});

describe('BIP39 seed', () => {
  test('generated mnemonics use the injected entropy and validate', () => {
    const m = generateMnemonic((n) => new Uint8Array(n));
    assert.equal(m.split(' ').length, 24);
    assert.equal(m.split(' ')[0], 'abandon');
    assert.ok(validateMnemonic(m));
    assert.ok(!validateMnemonic(m.replace(/art$/, 'zoo')));
    assert.throws(() => mnemonicToSeed('abandon abandon abandon'), (e: Error & { code?: number }) => e.code === -32602 && /mnemonic/.test(e.message));
  });

  test('loadOrCreateWalletSeed creates a 0600 mnemonic file once and reloads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kite-seed-'));
    try {
      const a = loadOrCreateWalletSeed(dir);
      assert.equal(a.created, true);
      assert.equal(statSync(join(dir, MNEMONIC_FILE)).mode & 0o777, 0o600);
      const b = loadOrCreateWalletSeed(dir);
      assert.equal(b.created, false);
      assert.equal(b.mnemonic, a.mnemonic);
      assert.deepEqual(b.seed, a.seed);
      assert.equal(readFileSync(join(dir, MNEMONIC_FILE), 'utf8').trim(), a.mnemonic);
      writeFileSync(join(dir, MNEMONIC_FILE), 'not a mnemonic');
      assert.throws(() => loadOrCreateWalletSeed(dir), /not a valid BIP39 mnemonic/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
