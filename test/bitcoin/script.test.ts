import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, fromHex, toHex } from '../../src/lib/index.ts';
import {
  OP,
  compileScript,
  decompileScript,
  disassemble,
  parseAsm,
  scriptNumDecode,
  scriptNumEncode,
  p2pkhScript,
  p2shScript,
  p2wpkhScript,
  p2wshScript,
  p2trScript,
  witnessProgram,
} from '../../src/bitcoin/index.ts';
import { sha256 } from '../../src/crypto/index.ts';

describe('script numbers (CScriptNum)', () => {
  test('known encodings', () => {
    const cases: [number, string][] = [
      [0, ''], [1, '01'], [-1, '81'], [127, '7f'], [128, '8000'], [-128, '8080'], [255, 'ff00'], [256, '0001'], [-255, 'ff80'], [0x7fffffff, 'ffffff7f'], [-0x7fffffff, 'ffffffff'],
    ];
    for (const [n, hex] of cases) {
      assert.equal(toHex(scriptNumEncode(n)), hex, `encode ${n}`);
      assert.equal(scriptNumDecode(fromHex(hex), 4, true), BigInt(n), `decode ${hex}`);
    }
  });
  test('overflow and minimality', () => {
    assert.throws(() => scriptNumDecode(fromHex('0000000001'), 4), DecodeError);
    assert.equal(scriptNumDecode(fromHex('0000000001'), 5), 1n << 32n);
    assert.throws(() => scriptNumDecode(fromHex('0100'), 4, true), DecodeError);
    assert.throws(() => scriptNumDecode(fromHex('80'), 4, true), DecodeError);
    assert.equal(scriptNumDecode(fromHex('0100'), 4, false), 1n);
    assert.equal(scriptNumDecode(fromHex('80'), 4, false), 0n);
  });
  test('round-trip property', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 39n) + 1n, max: (1n << 39n) - 1n }), (n) => {
        assert.equal(scriptNumDecode(scriptNumEncode(n), 5, true), n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('compile / decompile / asm', () => {
  test('minimal pushes', () => {
    assert.equal(toHex(compileScript([scriptNumEncode(0), scriptNumEncode(5), scriptNumEncode(-1), scriptNumEncode(17)])), '00554f0111');
    assert.equal(toHex(compileScript([new Uint8Array(75)])).slice(0, 2), '4b');
    assert.equal(toHex(compileScript([new Uint8Array(76)])).slice(0, 4), '4c4c');
    assert.equal(toHex(compileScript([new Uint8Array(256)])).slice(0, 6), '4d0001');
    assert.equal(toHex(compileScript([OP.OP_DUP, OP.OP_CHECKSIG])), '76ac');
  });
  test('decompile inverts compile and rejects truncated pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(OP.OP_DUP, OP.OP_0, OP.OP_CHECKSIG, OP.OP_16), fc.uint8Array({ minLength: 2, maxLength: 300 }))), (chunks) => {
        assert.deepEqual(decompileScript(compileScript(chunks)), chunks);
      }),
      { numRuns: 100 },
    );
    assert.throws(() => decompileScript(fromHex('4c')), DecodeError);
    assert.throws(() => decompileScript(fromHex('0201')), DecodeError);
    assert.throws(() => decompileScript(fromHex('4d0100')), DecodeError);
  });
  test('Core asm round-trip', () => {
    const s = parseAsm("DUP HASH160 0x14 0x89abcdefabbaabbaabbaabbaabbaabbaabbaabba EQUALVERIFY CHECKSIG");
    assert.equal(toHex(s), '76a91489abcdefabbaabbaabbaabbaabbaabbaabbaabba88ac');
    assert.equal(disassemble(s), 'OP_DUP OP_HASH160 89abcdefabbaabbaabbaabbaabbaabbaabbaabba OP_EQUALVERIFY OP_CHECKSIG');
    assert.equal(toHex(parseAsm("0 -1 1 16 17 'Az' NOP OP_NOP10 0x50")), '004f5160011102417a61b950');
    assert.equal(disassemble(fromHex('004f5160011150ff')), '0 -1 1 16 17 OP_RESERVED OP_INVALIDOPCODE');
    assert.equal(disassemble(fromHex('0201')), '[error]');
    assert.throws(() => parseAsm('FOO'), DecodeError);
  });
});

describe('output templates', () => {
  test('shapes', () => {
    const h = new Uint8Array(20).fill(0xab);
    assert.equal(disassemble(p2pkhScript(h)), `OP_DUP OP_HASH160 ${toHex(h)} OP_EQUALVERIFY OP_CHECKSIG`);
    assert.equal(disassemble(p2shScript(h)), `OP_HASH160 ${toHex(h)} OP_EQUAL`);
    assert.equal(disassemble(p2wpkhScript(h)), `0 ${toHex(h)}`);
    const ws = fromHex('51');
    assert.equal(disassemble(p2wshScript(ws)), `0 ${toHex(sha256(ws))}`);
    assert.equal(toHex(p2trScript(new Uint8Array(32).fill(1))).slice(0, 4), '5120');
    assert.deepEqual(witnessProgram(p2trScript(new Uint8Array(32).fill(1)))?.version, 1);
    assert.equal(witnessProgram(p2pkhScript(h)), null);
    assert.throws(() => p2pkhScript(new Uint8Array(19)), RangeError);
  });
});
