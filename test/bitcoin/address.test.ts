import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Address, OutScript, NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { KiteError, fromHex, toHex } from '../../src/lib/index.ts';
import { addressToScript, scriptToAddress, p2pkhScript, p2shScript, p2wpkhScript, p2trScript, type Network } from '../../src/bitcoin/index.ts';
import { schnorrPublicKey } from '../../src/crypto/index.ts';
import { loadJson } from './spec-data.ts';

describe('addresses', () => {
  test('BIP341 vectors: P2TR scripts encode to the bip350Address', () => {
    const v = loadJson<{ scriptPubKey: { expected: { scriptPubKey: string; bip350Address: string } }[] }>('bip341_wallet_vectors.json');
    for (const row of v.scriptPubKey) {
      const script = fromHex(row.expected.scriptPubKey);
      assert.equal(scriptToAddress(script, 'bitcoin'), row.expected.bip350Address);
      assert.equal(toHex(addressToScript(row.expected.bip350Address, 'bitcoin')), row.expected.scriptPubKey);
      assert.throws(() => addressToScript(row.expected.bip350Address, 'regtest'), KiteError);
    }
  });

  test('agrees with @scure/btc-signer (an independent encoder) on every type and network', () => {
    const nets: [Network, typeof NETWORK][] = [
      ['bitcoin', NETWORK],
      ['testnet', TEST_NETWORK],
      ['regtest', { ...TEST_NETWORK, bech32: 'bcrt' }],
    ];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
        const h20 = b.subarray(0, 20);
        const scripts = [p2pkhScript(h20), p2shScript(h20), p2wpkhScript(h20), Uint8Array.of(0, 32, ...b), p2trScript(schnorrPublicKey(Uint8Array.of(1, ...b.subarray(1))))];
        for (const [net, params] of nets) {
          for (const s of scripts) {
            const addr = scriptToAddress(s, net)!;
            assert.equal(addr, Address(params).encode(OutScript.decode(s)));
            assert.deepEqual(addressToScript(addr, net), s);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  test('clear errors: wrong network, bad checksum, bech32 vs bech32m', () => {
    const s = p2wpkhScript(new Uint8Array(20).fill(7));
    const main = scriptToAddress(s, 'bitcoin')!;
    assert.throws(() => addressToScript(main, 'testnet'), /another network/);
    const flipped = main.slice(0, -1) + (main.endsWith('q') ? 'p' : 'q');
    assert.throws(() => addressToScript(flipped, 'bitcoin'), KiteError);
    const p2pkh = scriptToAddress(p2pkhScript(new Uint8Array(20)), 'bitcoin')!;
    assert.throws(() => addressToScript(p2pkh, 'regtest'), /another network/);
    assert.throws(() => addressToScript(p2pkh.slice(0, -1) + (p2pkh.endsWith('1') ? '2' : '1'), 'bitcoin'), /checksum/);
    assert.equal(scriptToAddress(fromHex('6a'), 'bitcoin'), null);
    assert.equal(addressToScript(main.toUpperCase(), 'bitcoin').length, 22);
  });
});
