/**
 * BOLT #3 Appendix E: key derivation, read from the spec file.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/lib/index.ts';
import { getPublicKey } from '../../src/crypto/index.ts';
import {
  derivePrivkey,
  derivePubkey,
  deriveRevocationPrivkey,
  deriveRevocationPubkey,
  perCommitmentPoint,
} from '../../src/keys/index.ts';
import { bolt3Text, hex, namedCases, section } from './spec-text.ts';

const block = section(bolt3Text(), '# Appendix E: Key Derivation Test Vectors');
const common = new Map<string, string>();
for (const m of block.split('# Appendix')[0]!.split('name:')[0]!.matchAll(/^\s*(\w+):\s*(0x[0-9a-f]+)\s*$/gm)) common.set(m[1]!, hex(m[2]!));
const cases = namedCases(block);
const get = (k: string): Uint8Array => {
  const v = common.get(k);
  if (v === undefined) throw new Error(`missing ${k}`);
  return fromHex(v);
};
const expected = (name: string, key: string): string => {
  const c = cases.find((x) => x.name === name);
  const f = c?.fields.find(([k]) => k === key);
  if (!f) throw new Error(`missing ${name}/${key}`);
  return hex(f[1]);
};

describe('BOLT 3 Appendix E', () => {
  const baseSecret = get('base_secret');
  const pcSecret = get('per_commitment_secret');
  const basePoint = get('base_point');
  const pcPoint = get('per_commitment_point');

  test('the common points follow from the secrets', () => {
    assert.deepEqual(getPublicKey(baseSecret), basePoint);
    assert.deepEqual(perCommitmentPoint(pcSecret), pcPoint);
  });
  test('derivation of pubkey from basepoint and per_commitment_point', () => {
    assert.equal(toHex(derivePubkey(basePoint, pcPoint)), expected('derivation of pubkey from basepoint and per_commitment_point', 'localpubkey'));
  });
  test('derivation of private key from basepoint secret and per_commitment_secret', () => {
    const priv = derivePrivkey(baseSecret, pcPoint);
    assert.equal(toHex(priv), expected('derivation of private key from basepoint secret and per_commitment_secret', 'localprivkey'));
    assert.deepEqual(getPublicKey(priv), derivePubkey(basePoint, pcPoint));
  });
  test('derivation of revocation pubkey from basepoint and per_commitment_point', () => {
    assert.equal(
      toHex(deriveRevocationPubkey(basePoint, pcPoint)),
      expected('derivation of revocation pubkey from basepoint and per_commitment_point', 'revocationpubkey'),
    );
  });
  test('derivation of revocation secret from basepoint_secret and per_commitment_secret', () => {
    const priv = deriveRevocationPrivkey(baseSecret, pcSecret);
    assert.equal(toHex(priv), expected('derivation of revocation secret from basepoint_secret and per_commitment_secret', 'revocationprivkey'));
    assert.deepEqual(getPublicKey(priv), deriveRevocationPubkey(basePoint, pcPoint));
  });
  test('private and public derivations agree for random keys', () => {
    const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => k.some((x) => x !== 0) && k[0]! < 0xff);
    fc.assert(
      fc.property(key, key, (b, s) => {
        const bp = getPublicKey(b);
        const pcp = getPublicKey(s);
        assert.deepEqual(getPublicKey(derivePrivkey(b, pcp)), derivePubkey(bp, pcp));
        assert.deepEqual(getPublicKey(deriveRevocationPrivkey(b, s)), deriveRevocationPubkey(bp, pcp));
      }),
      { numRuns: 100 },
    );
  });
});
