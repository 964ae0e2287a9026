/**
 * BOLT 11 "Examples" and "Examples of Invalid Invoices", read from the spec at test time.
 * Every valid invoice is decoded, checked against the facts its header and breakdown state,
 * and re-encoded byte for byte with the examples' private key; every invalid one is rejected
 * with an InvoiceError whose message names the problem.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getPublicKey, isLowS, normalizeS, sha256, verifyEcdsa } from '../../src/crypto/index.ts';
import { DecodeError, formatScid, fromHex, toHex, utf8 } from '../../src/lib/index.ts';
import {
  checkDescriptionHash,
  decodeInvoice,
  encodeInvoice,
  fallbackToAddress,
  fallbackType,
  featureBits,
  InvoiceError,
  invoiceToJson,
  type Invoice,
} from '../../src/invoice/index.ts';
import { decodeBech32 } from '../../src/invoice/bech32.ts';
import { signingData, SIGNATURE_WORDS } from '../../src/invoice/decode.ts';

const SPEC = new URL('../../../shared/spec/bolts/11-payment-encoding.md', import.meta.url);
const md = readFileSync(SPEC, 'utf8');

interface Example {
  header: string;
  invoice: string;
  breakdown: string[];
}

/** Split a section into examples: a `> #...` header, the invoice on the next non-empty line, then the breakdown. */
function parseSection(text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = /^>\s*#+\s*(.*)$/.exec(lines[i]);
    if (!h) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].replace(/^>/, '').trim() === '') j++;
    const invoice = lines[j].replace(/^>/, '').trim();
    let k = j + 1;
    const breakdown: string[] = [];
    while (k < lines.length && !/^>\s*#/.test(lines[k]) && !/^# /.test(lines[k])) breakdown.push(lines[k++]);
    out.push({ header: h[1], invoice, breakdown });
    i = k - 1;
  }
  return out;
}

const validStart = md.indexOf('\n# Examples\n');
const invalidStart = md.indexOf('\n# Examples of Invalid Invoices\n');
const end = md.indexOf('\n# Authors', invalidStart);
assert.ok(validStart > 0 && invalidStart > validStart && end > invalidStart, 'spec sections found');
const valid = parseSection(md.slice(validStart, invalidStart));
const invalid = parseSection(md.slice(invalidStart, end));
const privKey = fromHex(/`priv_key`=`([0-9a-f]{64})`/.exec(md)![1]);
const defaultSecret = /`payment_secret`=`([0-9a-f]{64})`/.exec(md)![1];

const MSAT_PER_UNIT: Record<string, number> = { milli: 1e8, micro: 1e5, nano: 100 };

/** The value on the breakdown line that follows the line matching `after`. */
function lineAfter(bd: string[], after: RegExp, value: RegExp): RegExpExecArray | null {
  const i = bd.findIndex((l) => after.test(l));
  if (i < 0) return null;
  for (let j = i + 1; j < bd.length && j <= i + 3; j++) {
    const m = value.exec(bd[j]);
    if (m) return m;
  }
  return null;
}

function checkStatedFacts(ex: Example, inv: Invoice): void {
  const bd = ex.breakdown;
  const all = bd.join('\n');
  const hasBreakdown = /`ln\w+`: prefix/.test(all);
  // Network.
  const net = /Lightning on bitcoin (mainnet|testnet)/i.exec(all);
  if (net) assert.equal(inv.network, net[1].toLowerCase() === 'mainnet' ? 'bitcoin' : 'testnet');
  // Timestamp.
  const ts = /timestamp \((\d+)\)/.exec(all);
  if (ts) assert.equal(inv.timestamp, Number(ts[1]));
  // Amount (computed from the unit the breakdown names, not from the hrp).
  const amt = /amount \((\d+) (milli|micro|nano|pico)-bitcoin/.exec(all);
  if (amt) {
    const n = BigInt(amt[1]);
    const expected = amt[2] === 'pico' ? n / 10n : n * BigInt(MSAT_PER_UNIT[amt[2]]);
    assert.equal(inv.amountMsat, expected);
    const ms = /= (\d+) milli satoshi/.exec(all);
    if (ms) assert.equal(inv.amountMsat, BigInt(ms[1]));
  } else if (hasBreakdown) {
    assert.equal(inv.amountMsat, undefined, 'no amount stated');
  }
  // Description.
  const d = lineAfter(bd, /`d`: short description/, /: '(.*)'\s*$/);
  if (d) assert.equal(inv.description, d[1].replace(/\\"/g, '"'));
  // Description hash, and that it hashes the stated text.
  const h = /SHA256 of '(.*)'\s+\(SHA256 hex: `([0-9a-f]{64})`\)/.exec(all);
  if (h) {
    assert.equal(toHex(inv.descriptionHash!), h[2]);
    assert.ok(checkDescriptionHash(inv, h[1]));
    assert.ok(!checkDescriptionHash(inv, h[1] + '.'));
  }
  if (/`h`: tagged field: hash of description/.test(all)) assert.ok(inv.descriptionHash && inv.description === undefined);
  // Expiry and min_final_cltv_expiry_delta (defaults when absent).
  const x = lineAfter(bd, /`x`: expiry time/, /: (\d+) seconds/);
  if (x) assert.equal(inv.expirySeconds, Number(x[1]));
  else if (hasBreakdown) assert.equal(inv.expirySeconds, 3600);
  const c = /min_final_cltv_expiry_delta = (\d+)/.exec(all);
  if (c) assert.equal(inv.minFinalCltvExpiryDelta, Number(c[1]));
  else if (hasBreakdown) assert.equal(inv.minFinalCltvExpiryDelta, 18);
  // Payment hash and secret.
  const ph = /payment[ _]hash ([0-9a-f]{64})/.exec(ex.header + '\n' + all);
  if (ph) assert.equal(toHex(inv.paymentHash), ph[1]);
  const ps = /payment secret ([0-9a-f]{64})/.exec(all) ?? /using secret 0x([0-9a-f]{64})/.exec(ex.header) ?? lineAfter(bd, /`s`: payment secret$/, /: 0x([0-9a-f]{64})/);
  assert.equal(toHex(inv.paymentSecret), ps ? ps[1] : defaultSecret);
  // Payee: stated in the header, else the examples' key.
  const payee = /@(0[23][0-9a-f]{64})/.exec(ex.header);
  if (payee) assert.equal(toHex(inv.payee), payee[1]);
  // Fallback address and type.
  const fb = /fallback (?:\((\w+)\) )?address (\w+)/.exec(ex.header);
  if (fb) {
    assert.equal(inv.fallbacks.length, 1);
    assert.equal(fallbackToAddress(inv.fallbacks[0], inv.network), fb[2]);
    if (fb[1]) assert.equal(fallbackType(inv.fallbacks[0]), fb[1]);
  } else if (hasBreakdown) {
    assert.equal(inv.fallbacks.length, 0);
  }
  // Route hints, hop by hop.
  const hops: Record<string, string>[] = [];
  for (const l of bd) {
    const t = l.trim();
    let m: RegExpExecArray | null;
    if ((m = /^\* pubkey:\s*`?([0-9a-f]{66})`?/.exec(t))) hops.push({ pubkey: m[1] });
    else if ((m = /^\* `?short_channel_id`?:\s*(\d+x\d+x\d+)/.exec(t))) hops[hops.length - 1].scid = m[1];
    else if ((m = /^\* `?fee_base_msat`?(?::| =)\s*(\d+)/.exec(t))) hops[hops.length - 1].base = m[1];
    else if ((m = /^\* `?fee_proportional_millionths`?(?::| =)\s*(\d+)/.exec(t))) hops[hops.length - 1].prop = m[1];
    else if ((m = /^\* `?cltv_expiry_delta`?(?::| =)\s*(\d+)/.exec(t))) hops[hops.length - 1].cltv = m[1];
  }
  const got = inv.routeHints.flat().map((h) => ({
    pubkey: toHex(h.pubkey),
    scid: formatScid(h.shortChannelId),
    base: String(h.feeBaseMsat),
    prop: String(h.feeProportionalMillionths),
    cltv: String(h.cltvExpiryDelta),
  }));
  if (hasBreakdown) assert.deepEqual(got, hops);
  // Features: from a full binary breakdown, a "= a + b" sum, or the header's list.
  const bin = lineAfter(bd, /`9`: features$/, /: b([01]+)$/);
  const sum = /= (\d+(?: \+ \d+)+)\s*$/m.exec(all);
  const listed = /features ((?:\d+, )*\d+ and \d+)/.exec(ex.header);
  let bits: number[] | undefined;
  if (bin) bits = [...bin[1]].reverse().flatMap((ch, i) => (ch === '1' ? [i] : []));
  else if (sum) bits = sum[1].split(' + ').map(Number);
  else if (listed) bits = listed[1].split(/, | and /).map(Number);
  if (bits) assert.deepEqual(featureBits(inv.features), bits.sort((a, b) => a - b));
  // Signature breakdown: signature, recovery flag, signed data and its hash.
  const sig = /`([0-9a-f]{128})` hex of signature data/.exec(all);
  if (sig) assert.equal(toHex(inv.signature), sig[1]);
  const rec = /`(\d)` \(int\) recovery flag/.exec(all);
  if (rec) assert.equal(inv.recoveryId, Number(rec[1]));
  const data = /`([0-9a-f]+)` hex of data for signing/.exec(all);
  if (data) {
    const { hrp, words } = decodeBech32(ex.invoice);
    assert.equal(toHex(signingData(hrp, words, words.length - SIGNATURE_WORDS)), data[1]);
  }
  const hash = /`([0-9a-f]{64})` hex of SHA256 of the preimage/.exec(all);
  if (hash) assert.equal(toHex(inv.signingHash), hash[1]);
  // Skipped fields are kept, in place.
  const ignored = (all.match(/\(ignored\)/g) ?? []).length + (all.match(/unknown field/g) ?? []).length;
  assert.equal(inv.fields.filter((f) => f.tag === 'raw').length, ignored);
}

describe('BOLT 11 valid examples', () => {
  test('the spec file yields the examples', () => {
    assert.ok(valid.length >= 10, `found ${valid.length} valid examples`);
    assert.ok(invalid.length >= 8, `found ${invalid.length} invalid examples`);
    for (const ex of [...valid, ...invalid]) assert.ok(ex.invoice.length > 50, `invoice line for ${ex.header}`);
  });

  let previous: Invoice | undefined;
  for (const ex of valid) {
    test(ex.header, () => {
      const inv = decodeInvoice(ex.invoice);
      // Every valid example is signed with priv_key: recovered or stated, the payee is its key
      // (the high-S vector recovers some key for which the high-S signature verifies).
      if (isLowS(inv.signature)) {
        assert.equal(toHex(inv.payee), toHex(getPublicKey(privKey)));
      } else {
        assert.ok(verifyEcdsa(inv.signature, inv.signingHash, inv.payee, true));
        assert.match(ex.header, /high-S/);
      }
      checkStatedFacts(ex, inv);
      if (/^Same, but all upper case/.test(ex.header)) {
        assert.ok(previous);
        assert.deepEqual(invoiceToJson(inv), invoiceToJson(previous));
      }
      // Byte-for-byte re-encoding.
      const lower = ex.invoice.toLowerCase();
      assert.equal(encodeInvoice(inv, () => ({ sig: inv.signature, recid: inv.recoveryId })), lower);
      const resigned = encodeInvoice(inv, privKey);
      if (isLowS(inv.signature)) {
        assert.equal(resigned, lower);
      } else {
        // RFC 6979 signing gives the low-S twin of the high-S signature.
        const again = decodeInvoice(resigned);
        assert.deepEqual(again.signature, normalizeS(inv.signature));
        assert.equal(toHex(again.payee), toHex(getPublicKey(privKey)));
      }
      // With the lightning: URI prefix too.
      assert.equal(toHex(decodeInvoice('lightning:' + ex.invoice).signingHash), toHex(inv.signingHash));
      const json = invoiceToJson(inv);
      assert.equal(json.payment_hash, toHex(inv.paymentHash));
      assert.equal(json.valid, true);
      assert.equal(toHex(sha256(utf8(JSON.stringify(json)))).length, 64);
      previous = inv;
    });
  }
});

/** What each invalid example's error must say, keyed by its header. */
const EXPECTED_ERROR: [RegExp, (m: RegExpExecArray) => RegExp][] = [
  [/unknown feature (\d+)/, (m) => new RegExp(`unknown required \\(even\\) feature bit.*\\b${m[1]}\\b`)],
  [/checksum is invalid/, () => /checksum is invalid/],
  [/no 1/, () => /no separator "1"/],
  [/mixed case/, () => /mixed case/],
  [/not recoverable/, () => /not recoverable/],
  [/too short/, () => /too short/],
  [/Invalid multiplier/, () => /invalid amount multiplier/],
  [/sub-millisatoshi/, () => /sub-millisatoshi/],
  [/Missing required `s` field/, () => /missing required s field/],
  [/high-S.*'n' field/, () => /not in low-S form/],
];

describe('BOLT 11 invalid examples', () => {
  for (const ex of invalid) {
    test(ex.header, () => {
      const rule = EXPECTED_ERROR.map(([h, e]) => {
        const m = h.exec(ex.header);
        return m ? e(m) : null;
      }).find((x) => x !== null);
      assert.ok(rule, `no expected error known for "${ex.header}"`);
      assert.throws(
        () => decodeInvoice(ex.invoice),
        (e: unknown) => e instanceof InvoiceError && e instanceof DecodeError && rule.test(e.message),
      );
    });
  }
});
