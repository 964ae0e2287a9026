/**
 * Address descriptors (BOLT #7 node_announcement, BOLT #1 remote_addr): text formatting and
 * parsing, cross-checked against the WHATWG URL parser's IPv6 serialisation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../src/lib/index.ts';
import { formatAddress, parseAddress, type AddressDescriptor } from '../../src/wire/index.ts';

const port = fc.integer({ min: 0, max: 0xffff });
/** IPv6 addresses with plenty of zero groups, so `::` placement is exercised. */
const ipv6 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((gs) => {
  const b = new Uint8Array(16);
  gs.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 0xff;
  });
  return b;
});

test('IPv6 text matches the WHATWG URL serialisation (RFC 5952 compression)', () => {
  fc.assert(
    fc.property(ipv6, port, (addr, p) => {
      const full = Array.from({ length: 8 }, (_, i) => ((addr[2 * i]! << 8) | addr[2 * i + 1]!).toString(16)).join(':');
      const expected = new URL(`http://[${full}]/`).hostname;
      assert.equal(formatAddress({ type: 'ipv6', addr, port: p }), `${expected}:${p}`);
    }),
    { numRuns: 300 },
  );
});

test('parseAddress(formatAddress(a)) = a for IPv4, IPv6, Tor v3 and DNS', () => {
  const desc: fc.Arbitrary<AddressDescriptor> = fc.oneof(
    fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), port).map(([addr, p]) => ({ type: 'ipv4' as const, addr, port: p })),
    fc.tuple(ipv6, port).map(([addr, p]) => ({ type: 'ipv6' as const, addr, port: p })),
    fc.tuple(fc.uint8Array({ minLength: 35, maxLength: 35 }), port).map(([addr, p]) => ({ type: 'torv3' as const, addr, port: p })),
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){1,3}$/), port).map(([hostname, p]) => ({ type: 'dns' as const, hostname, port: p })),
  );
  fc.assert(
    fc.property(desc, (a) => {
      assert.deepStrictEqual(parseAddress(formatAddress(a)), a);
    }),
    { numRuns: 300 },
  );
});

test('parseAddress forms and defaults', () => {
  assert.deepStrictEqual(parseAddress('127.0.0.1'), { type: 'ipv4', addr: Uint8Array.of(127, 0, 0, 1), port: 9735 });
  assert.deepStrictEqual(parseAddress('10.1.2.3:19735'), { type: 'ipv4', addr: Uint8Array.of(10, 1, 2, 3), port: 19735 });
  const v6 = parseAddress('[::1]:9736');
  assert.equal(v6.type, 'ipv6');
  assert.equal(toHex((v6 as { addr: Uint8Array }).addr), '00'.repeat(15) + '01');
  assert.equal(formatAddress(parseAddress('::ffff:1.2.3.4')), '[::ffff:102:304]:9735');
  assert.deepStrictEqual(parseAddress('node.example.com:1', 9), { type: 'dns', hostname: 'node.example.com', port: 1 });
  assert.deepStrictEqual(parseAddress('localhost', 9), { type: 'dns', hostname: 'localhost', port: 9 });
});

test('bad address text is a RangeError that says what was expected', () => {
  for (const bad of ['1.2.3.256', '1.2.3', '[::1', '[1::2::3]', '[1:2:3:4:5:6:7:8:9]', 'abc.onion', 'host:99999', 'ünï.com', 'a b']) {
    assert.throws(() => parseAddress(bad), RangeError, bad);
  }
});
