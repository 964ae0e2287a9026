/**
 * An in-memory two-party harness for the channel machine: two machines wired through their
 * send_message effects, with a deterministic PRNG, a fake wallet and a fake chain. Used by
 * test/channel/machine-*.test.ts.
 */
import assert from 'node:assert/strict';
import { msat, sat, shortChannelId, type Msat, type ShortChannelId } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { InMemorySigner } from '../../src/keys/index.ts';
import type { Tx } from '../../src/bitcoin/index.ts';
import { decodeMessage, encodeMessage } from '../../src/wire/index.ts';
import {
  buildSide,
  currentView,
  step,
  startFunder,
  startFundee,
  type ChannelConfig,
  type ChannelEnv,
  type ChannelEvent,
  type ChannelMessage,
  type ChannelState,
  type Commitments,
  type Effect,
  type OpenChannel,
} from '../../src/channel/index.ts';

/** A small deterministic PRNG (xorshift64*). */
export class Rng {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  }
  next(): number {
    let x = this.s & 0xffffffffffffffffn;
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    this.s = x;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

export const CHAIN_HASH = sha256(new TextEncoder().encode('kite-test-chain'));

/** Default test policy. */
export function testConfig(over: Partial<ChannelConfig> = {}): ChannelConfig {
  return {
    dustLimit: sat(546),
    maxHtlcValueInFlight: msat(5_000_000_000n),
    channelReservePpm: 10_000,
    htlcMinimum: msat(1000),
    toSelfDelay: 144,
    maxAcceptedHtlcs: 30,
    minimumDepth: 3,
    maxToSelfDelay: 2016,
    maxMinimumDepth: 144,
    minFundingSat: sat(20_000),
    largeChannels: false,
    maxHtlcMinimum: msat(10_000_000),
    minMaxAcceptedHtlcs: 5,
    maxChannelReservePpm: 200_000,
    maxDustLimit: sat(10_000),
    maxDustExposure: msat(50_000_000),
    acceptStaticRemotekey: true,
    anySegwit: true,
    upfrontShutdown: false,
    shutdownScript: Uint8Array.from([0x00, 20, ...new Uint8Array(20).fill(7)]),
    closingFeeRange: { min: sat(200), max: sat(20_000) },
    ...over,
  };
}

/** A test environment with a real InMemorySigner. */
export function testEnv(name: string, keyIndex: bigint, over: Partial<ChannelConfig> = {}, seed = 1): ChannelEnv {
  const rng = new Rng(seed + name.length * 7);
  return {
    chainHash: CHAIN_HASH,
    config: testConfig(over),
    feerates: { commitment: 2500, min: 253, max: 100_000, closing: 1000 },
    blockHeight: 800_000,
    randomBytes: (n) => rng.bytes(n),
    signer: InMemorySigner.fromNodeSecret(sha256(new TextEncoder().encode(`node-${name}`)), keyIndex),
  };
}

/** One side of the harness. */
export class Party {
  state!: ChannelState;
  outbox: ChannelMessage[] = [];
  effects: Effect[] = [];
  constructor(readonly name: string, public env: ChannelEnv) {}

  /** absorb records a step's effects and checks persist-before-speak. */
  absorb(before: ChannelState | null, r: { state: ChannelState; effects: Effect[] }): Effect[] {
    const firstSend = r.effects.findIndex((e) => e.kind === 'send_message');
    if (before !== r.state && firstSend >= 0) {
      const persist = r.effects.findIndex((e) => e.kind === 'persist');
      assert.ok(persist >= 0 && persist < firstSend, `${this.name}: persist must come before send_message`);
    }
    this.state = r.state;
    this.effects.push(...r.effects);
    for (const e of r.effects) if (e.kind === 'send_message') this.outbox.push(e.message);
    return r.effects;
  }

  /**
   * restart replaces the live state with a structured clone of the last persisted record, as
   * a node restarting from its database would, and checks nothing was lost.
   */
  restart(): void {
    const persisted = [...this.effects].reverse().find((e) => e.kind === 'persist');
    assert.ok(persisted && persisted.kind === 'persist');
    assert.deepEqual(persisted.state, this.state, `${this.name}: the last persisted record is not the live state`);
    this.state = structuredClone(persisted.state);
  }

  step(e: ChannelEvent): Effect[] {
    return this.absorb(this.state, step(this.state, e, this.env));
  }

  get c(): Commitments {
    assert.ok('commitments' in this.state && this.state.commitments, `${this.name} has no commitments in ${this.state.name}`);
    return this.state.commitments as Commitments;
  }
}

/** stateName reads a party's state name (not narrowed by earlier assertions). */
export function stateName(p: Party): string {
  return p.state.name;
}

/** wireRoundTrip encodes and decodes a message with the wire codecs. */
export function wireRoundTrip(m: ChannelMessage): ChannelMessage {
  return decodeMessage(encodeMessage(m)) as ChannelMessage;
}

/** deliver moves up to `max` queued messages from one party to the other. */
export function deliver(from: Party, to: Party, max = Infinity): number {
  let n = 0;
  while (from.outbox.length > 0 && n < max) {
    const m = from.outbox.shift()!;
    // Every message crosses the real BOLT #1/#2 codecs.
    to.step({ kind: 'message', message: wireRoundTrip(m) });
    n++;
  }
  return n;
}

/** flush delivers in both directions until nothing moves. */
export function flush(a: Party, b: Party): void {
  for (let i = 0; i < 1000; i++) if (deliver(a, b) + deliver(b, a) === 0) return;
  throw new Error('flush did not settle');
}

/** A fake funding transaction from a wallet. */
export function fakeFundingTx(script: Uint8Array, amount: bigint, rng: Rng): Tx {
  return {
    version: 2,
    inputs: [{ txid: rng.bytes(32), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: [
      { value: 123_456n, script: Uint8Array.from([0x00, 20, ...rng.bytes(20)]) },
      { value: amount, script },
    ],
    locktime: 0,
  };
}

export interface OpenOptions {
  funding?: bigint;
  push?: Msat;
  anchors?: boolean;
  configA?: Partial<ChannelConfig>;
  configB?: Partial<ChannelConfig>;
  seed?: number;
}

/** openChannel runs the whole v1 opening between a funder A and a fundee B, to Normal. */
export function openPair(o: OpenOptions = {}): { a: Party; b: Party; scid: ShortChannelId; fundingTx: Tx } {
  const rng = new Rng(o.seed ?? 42);
  const a = new Party('A', testEnv('A', 1n, o.configA, o.seed));
  const b = new Party('B', testEnv('B', 7n, { shutdownScript: Uint8Array.from([0x00, 20, ...new Uint8Array(20).fill(8)]), ...o.configB }, o.seed));
  a.absorb(null, startFunder({ kind: 'open', temporaryChannelId: rng.bytes(32), fundingAmount: sat(o.funding ?? 1_000_000n), pushAmount: o.push ?? msat(0), channelKeyIndex: 1n, announce: false, anchors: o.anchors ?? true }, a.env));
  const open = a.outbox.shift() as OpenChannel;
  b.absorb(null, startFundee(open, 7n, b.env));
  assert.equal(stateName(b), 'AwaitingFundingCreated');
  deliver(b, a);
  assert.equal(stateName(a), 'AwaitingFundingTx');
  const build = a.effects.find((e) => e.kind === 'build_funding_tx');
  assert.ok(build && build.kind === 'build_funding_tx');
  const fundingTx = fakeFundingTx(build.script, build.amount, rng);
  a.step({ kind: 'funding_tx_built', tx: fundingTx, outputIndex: 1 });
  assert.equal(stateName(a), 'AwaitingFundingSigned');
  deliver(a, b);
  assert.equal(stateName(b), 'AwaitingFundingConfirmed');
  deliver(b, a);
  assert.equal(stateName(a), 'AwaitingFundingConfirmed');
  const scid = shortChannelId(800_010, 5, 1);
  const out = fundingTx.outputs[1]!;
  for (const p of [a, b]) p.step({ kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: out });
  flush(a, b);
  assert.equal(stateName(a), 'Normal');
  assert.equal(stateName(b), 'Normal');
  return { a, b, scid, fundingTx };
}

/**
 * checkInvariants: balances are conserved to the millisatoshi in every commitment each side
 * holds, and (when quiescent) each side's view of the other's commitment builds to the txid
 * the other side holds.
 */
export function checkInvariants(a: Party, b: Party, quiescent: boolean): void {
  for (const p of [a, b]) {
    const c = p.c;
    const total = c.params.fundingAmount * 1000n;
    for (const side of ['local', 'remote'] as const) {
      const v = currentView(c, side);
      let sum = v.spec.toLocal + v.spec.toRemote;
      for (const h of v.htlcs) sum += h.amount;
      assert.equal(sum, total, `${p.name} ${side} commitment does not conserve funds`);
    }
    // Our stored local txid is what our state rebuilds to.
    const local = buildSide(c, 'local', currentView(c, 'local'), c.localCommit.number, p.env.signer.perCommitmentPoint(c.localCommit.number));
    assert.deepEqual(local.txid, c.localCommit.txid, `${p.name} local commitment txid drifted`);
  }
  if (!quiescent) return;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    assert.equal(x.c.remoteCommit.number, y.c.localCommit.number, `${x.name}'s view of ${y.name}'s commitment number`);
    const built = buildSide(x.c, 'remote', currentView(x.c, 'remote'), x.c.remoteCommit.number, x.c.remoteCommit.perCommitmentPoint);
    assert.deepEqual(built.txid, y.c.localCommit.txid, `${x.name}'s view of ${y.name}'s commitment builds to a different txid`);
    assert.deepEqual(x.c.remoteCommit.txid, y.c.localCommit.txid);
    assert.equal(x.c.localCommit.spec.toLocal, y.c.localCommit.spec.toRemote);
  }
}

/** preimageFor derives a test preimage. */
export function preimageFor(n: number): Uint8Array {
  return sha256(new TextEncoder().encode(`preimage-${n}`));
}

export { shortChannelId };
