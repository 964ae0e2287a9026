/**
 * Loads the BOLT #4 test vectors from ../shared/spec at test time (never retyped).
 */
import { readFileSync } from 'node:fs';
import { Reader, fromHex, readBigSize } from '../../src/lib/index.ts';

const SPEC = new URL('../../../shared/spec/bolts/', import.meta.url);

/** loadJson reads bolts/bolt04/<name>. */
export function loadJson(name: string): any {
  return JSON.parse(readFileSync(new URL(`bolt04/${name}`, SPEC), 'utf8'));
}

/** loadBolt reads a BOLT's markdown. */
export function loadBolt(name: string): string {
  return readFileSync(new URL(name, SPEC), 'utf8');
}

/** stripLength removes a BigSize length prefix, checking it matches the rest. */
export function stripLength(b: Uint8Array): Uint8Array {
  const r = new Reader(b);
  const len = readBigSize(r);
  const rest = r.rest();
  if (BigInt(rest.length) !== len) throw new Error(`length prefix ${len} does not match ${rest.length}`);
  return rest;
}

/**
 * errorTrace parses the "Returning Errors" test vector of 04-onion-routing.md: the
 * parameters (pubkeys, session key) and each step's values.
 */
export function errorTrace(): {
  pubkeys: Uint8Array[];
  holdTimes: number[];
  sessionKey: Uint8Array;
  encodedFailureMessage: Uint8Array;
  payload: Uint8Array;
  umKey: Uint8Array;
  rawErrorPacket: Uint8Array;
  steps: { node: number; sharedSecret: Uint8Array; ammagKey: Uint8Array; stream: Uint8Array; errorPacket: Uint8Array; attributionData: Uint8Array }[];
  successAttribution: { node: number; data: Uint8Array }[];
} {
  const md = loadBolt('04-onion-routing.md');
  const start = md.indexOf('# Test Vector');
  const sec = md.slice(start);
  const lines = sec.split('\n').map((l) => l.trim());
  const pubkeys: Uint8Array[] = [];
  const holdTimes: number[] = [];
  let sessionKey: Uint8Array | undefined;
  const kv: Record<string, string> = {};
  const steps: any[] = [];
  const successAttribution: { node: number; data: Uint8Array }[] = [];
  let inSuccess = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    if (l.startsWith('## Returning success')) inSuccess = true;
    if ((m = /^pubkey\[(\d+)\] = 0x([0-9a-f]+)$/.exec(l))) pubkeys[Number(m[1])] = fromHex(m[2]);
    else if ((m = /^htlc_hold_time\[(\d+)\] = (\d+)$/.exec(l))) holdTimes[Number(m[1])] = Number(m[2]);
    else if ((m = /^sessionkey = 0x([0-9a-f]+)$/.exec(l))) sessionKey = fromHex(m[1]);
    else if ((m = /^# forwarding error packet$/.exec(l))) steps.push({});
    else if ((m = /^error packet for node (\d+): ([0-9a-f]+)$/.exec(l))) Object.assign(steps[steps.length - 1], { node: Number(m[1]), errorPacket: fromHex(m[2]) });
    else if ((m = /^attribution data for node (\d+): ([0-9a-f]+)$/.exec(l)) && !inSuccess) steps[steps.length - 1].attributionData = fromHex(m[2]);
    else if ((m = /^attribution data for node (\d+):$/.exec(l)) && inSuccess) successAttribution.push({ node: Number(m[1]), data: fromHex(lines[i + 1]) });
    else if ((m = /^([a-z_]+) = ([0-9a-f]+)$/.exec(l))) {
      if (steps.length === 0) kv[m[1]] = m[2];
      else steps[steps.length - 1][m[1]] = m[2];
    }
  }
  if (!sessionKey) throw new Error('sessionkey not found in the BOLT 4 test vector');
  return {
    pubkeys,
    holdTimes,
    sessionKey,
    encodedFailureMessage: fromHex(kv.encoded_failure_message),
    payload: fromHex(kv.payload),
    umKey: fromHex(kv.um_key),
    rawErrorPacket: fromHex(kv.raw_error_packet),
    steps: steps.map((s) => ({
      node: s.node,
      sharedSecret: fromHex(s.shared_secret),
      ammagKey: fromHex(s.ammag_key),
      stream: fromHex(s.stream),
      errorPacket: s.errorPacket,
      attributionData: s.attributionData,
    })),
    successAttribution,
  };
}
