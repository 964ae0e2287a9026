/**
 * Robustness: the interpreter returns a ScriptResult for any input — random scripts, random
 * witnesses, random flags — and never throws. Scripts are drawn from real opcodes so that
 * execution gets past the first byte often.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ALL_FLAGS, OP, compileScript, p2shScript, p2wshScript, verifyScript, type ScriptChunk, type Tx } from '../../src/bitcoin/index.ts';
import { hash160 } from '../../src/crypto/index.ts';

const chunk: fc.Arbitrary<ScriptChunk> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x4f, max: 0xba }) },
  { weight: 1, arbitrary: fc.constantFrom<number>(OP.OP_IF, OP.OP_ELSE, OP.OP_ENDIF, OP.OP_CHECKSIG, OP.OP_CHECKMULTISIG, OP.OP_DUP, OP.OP_PICK, OP.OP_ROLL, 0x50, 0xff, 0xfe) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 30, maxLength: 80 }) },
);
const script = fc.array(chunk, { maxLength: 30 }).map(compileScript);
const rawScript = fc.oneof(script, fc.uint8Array({ maxLength: 60 }));

function ctx(scriptSig: Uint8Array, witness: Uint8Array[], spk: Uint8Array): { tx: Tx; inputIndex: number; amount: bigint; prevouts: { value: bigint; script: Uint8Array }[] } {
  const tx: Tx = {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(3), vout: 0, scriptSig, sequence: 0xfffffffe, witness }],
    outputs: [{ value: 1n, script: new Uint8Array(0) }],
  };
  return { tx, inputIndex: 0, amount: 5n, prevouts: [{ value: 5n, script: spk }] };
}

test('verifyScript never throws on arbitrary bare, P2SH and P2WSH inputs', () => {
  fc.assert(
    fc.property(rawScript, rawScript, fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }), fc.nat({ max: ALL_FLAGS }), fc.nat({ max: 2 }), (sig, spk, wit, flags, kind) => {
      let pubkeyScript: Uint8Array = spk;
      let scriptSig: Uint8Array = sig;
      let witness: Uint8Array[] = wit;
      if (kind === 1) {
        pubkeyScript = p2shScript(hash160(spk));
        scriptSig = compileScript([...(sig.length < 40 ? [sig] : []), spk]);
      } else if (kind === 2) {
        pubkeyScript = p2wshScript(spk);
        scriptSig = new Uint8Array(0);
        witness = [...wit, spk];
      }
      const r = verifyScript(scriptSig, pubkeyScript, witness, flags, ctx(scriptSig, witness, pubkeyScript));
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.match(r.error, /^[A-Z0-9_]+$/);
    }),
    { numRuns: 1500 },
  );
});

test('verifyScript never throws on arbitrary taproot witnesses', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 4 }), script, fc.nat({ max: ALL_FLAGS }), (key, wit, leaf, flags) => {
      const spk = Uint8Array.of(OP.OP_1, 32, ...key);
      const control = Uint8Array.of(0xc0 | (key[0] & 1), ...key);
      for (const witness of [wit, [...wit, leaf, control]]) {
        const r = verifyScript(new Uint8Array(0), spk, witness, flags, ctx(new Uint8Array(0), witness, spk));
        assert.equal(typeof r.ok, 'boolean');
      }
    }),
    { numRuns: 300 },
  );
});
