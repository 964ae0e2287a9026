/**
 * option_simple_close (BOLT #2 "Closing Negotiation: `closing_complete` and `closing_sig`"):
 * both sides close with the transaction they pay for; variants and their checks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { txid } from '../../src/bitcoin/index.ts';
import { dustThreshold, isValidShutdownScript, step, type ChannelMessage } from '../../src/channel/index.ts';
import { deliver, flush, openPair, type Party, stateName } from './machine-harness.ts';

const OP_RETURN = Uint8Array.from([0x6a, 6, 1, 2, 3, 4, 5, 6]);

function closingBroadcasts(p: Party) {
  return p.effects.flatMap((e) => (e.kind === 'broadcast' && e.label === 'closing' ? [e.tx] : []));
}

function shutdownBoth(push: bigint, scriptB?: Uint8Array): { a: Party; b: Party; ccA: ChannelMessage; ccB: ChannelMessage } {
  const cfg = { simpleClose: true };
  const { a, b } = openPair({ push: msat(push), configA: cfg, configB: scriptB ? { ...cfg, shutdownScript: scriptB } : cfg });
  a.step({ kind: 'command', command: { kind: 'shutdown' } });
  deliver(a, b); // B replies shutdown and sends its closing_complete
  deliver(b, a, 1); // A gets shutdown, sends its closing_complete
  assert.equal(stateName(a), 'NegotiatingSimple');
  assert.equal(stateName(b), 'NegotiatingSimple');
  const ccA = a.outbox.find((m) => m.type === 'closing_complete')!;
  const ccB = b.outbox.find((m) => m.type === 'closing_complete')!;
  return { a, b, ccA, ccB };
}

describe('option_simple_close', () => {
  test('OP_RETURN scripts and dust thresholds', () => {
    assert.ok(!isValidShutdownScript(OP_RETURN, true, false));
    assert.ok(isValidShutdownScript(OP_RETURN, true, true));
    assert.ok(!isValidShutdownScript(Uint8Array.from([0x6a, 5, 1, 2, 3, 4, 5]), true, true), 'push of 5 bytes');
    assert.ok(isValidShutdownScript(Uint8Array.from([0x6a, 76, 76, ...new Uint8Array(76)]), true, true));
    assert.ok(!isValidShutdownScript(Uint8Array.from([0x6a, 76, 81, ...new Uint8Array(81)]), true, true));
    assert.equal(dustThreshold(OP_RETURN), 0n);
    assert.equal(dustThreshold(Uint8Array.from([0x00, 20, ...new Uint8Array(20)])), 294n);
    assert.equal(dustThreshold(Uint8Array.from([0x00, 32, ...new Uint8Array(32)])), 330n);
  });

  test('both sides send closing_complete, sign the other one, and broadcast two closing transactions', () => {
    const { a, b, ccA, ccB } = shutdownBoth(300_000_000n);
    assert.ok(ccA.type === 'closing_complete' && ccA.tlvs.closer_output_only && ccA.tlvs.closer_and_closee_outputs && !ccA.tlvs.closee_output_only);
    // B has less: it must not offer closer_output_only.
    assert.ok(ccB.type === 'closing_complete' && !ccB.tlvs.closer_output_only && ccB.tlvs.closer_and_closee_outputs);
    flush(a, b);
    const ta = closingBroadcasts(a);
    const tb = closingBroadcasts(b);
    assert.equal(ta.length, 2);
    assert.equal(tb.length, 2);
    assert.deepEqual(new Set(ta.map((t) => Buffer.from(txid(t)).toString('hex'))), new Set(tb.map((t) => Buffer.from(txid(t)).toString('hex'))));
    // In A's own transaction A pays the fee; B gets exactly its balance.
    const mine = ta.find((t) => t.outputs.some((o) => o.value === 300_000n));
    assert.ok(mine && mine.inputs[0]!.sequence === 0xfffffffd && mine.inputs[0]!.witness.length === 4);
  });

  test('a closee whose own output is dust picks closer_output_only', () => {
    const { a, b } = shutdownBoth(200_000n); // B has 200 sat: below the 294 sat p2wpkh threshold
    flush(a, b);
    const fromB = closingBroadcasts(b).find((t) => t.outputs.length === 1);
    assert.ok(fromB, 'B signed the variant without its dust output');
    assert.equal(stateName(a), 'NegotiatingSimple');
  });

  test('closing_complete with a fee above the closer balance, or a bad signature, fails the channel', () => {
    const { a, b, ccA } = shutdownBoth(300_000_000n);
    assert.ok(ccA.type === 'closing_complete');
    assert.equal(step(b.state, { kind: 'message', message: { ...ccA, fee_satoshis: sat(800_000) } }, b.env).state.name, 'Errored');
    const bad = { ...ccA, tlvs: { ...ccA.tlvs, closer_and_closee_outputs: new Uint8Array(64).fill(4) } };
    assert.equal(step(b.state, { kind: 'message', message: bad }, b.env).state.name, 'Errored');
    const wrongScript = step(b.state, { kind: 'message', message: { ...ccA, closee_scriptpubkey: OP_RETURN } }, b.env);
    assert.equal(wrongScript.state, b.state);
    assert.ok(wrongScript.effects.some((e) => e.kind === 'send_message' && e.message.type === 'warning'));
    void a;
  });

  test('closing_sig must match our closing_complete and carry exactly one offered signature', () => {
    const { a, b } = shutdownBoth(300_000_000n);
    deliver(a, b);
    const sig = b.outbox.find((m) => m.type === 'closing_sig')!;
    assert.ok(sig.type === 'closing_sig');
    assert.equal(step(a.state, { kind: 'message', message: { ...sig, fee_satoshis: sat(sig.fee_satoshis + 1n) } }, a.env).state.name, 'Errored');
    const two = { ...sig, tlvs: { closer_output_only: new Uint8Array(64), closer_and_closee_outputs: new Uint8Array(64) } };
    assert.equal(step(a.state, { kind: 'message', message: two }, a.env).state.name, 'Errored');
    const ok = step(a.state, { kind: 'message', message: sig }, a.env);
    assert.equal(ok.state.name, 'NegotiatingSimple');
    assert.ok(ok.effects.some((e) => e.kind === 'broadcast' && e.label === 'closing'));
  });
});
