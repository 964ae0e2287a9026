/**
 * Address descriptors (BOLT #7 "The `node_announcement` Message"), used by
 * `node_announcement.addresses` and by `init`'s `remote_addr` (BOLT #1).
 *
 * BOLT #7: "The first byte describes the address type and is followed by the appropriate
 * number of bytes for that type."
 */
import { DecodeError } from '../lib/errors.ts';
import type { Reader, Writer } from '../lib/reader.ts';
import { restOf, u16Framed, type Codec } from './codec.ts';

/** One address descriptor. `unknown` keeps an unparseable tail verbatim (see addressList). */
export type AddressDescriptor =
  | { type: 'ipv4'; addr: Uint8Array; port: number }
  | { type: 'ipv6'; addr: Uint8Array; port: number }
  /** BOLT #7: "`3`: Deprecated (length 12). Used to contain Tor v2 onion services." */
  | { type: 'torv2'; addr: Uint8Array; port: number }
  | { type: 'torv3'; addr: Uint8Array; port: number }
  | { type: 'dns'; hostname: string; port: number }
  | { type: 'unknown'; typeNum: number; data: Uint8Array };

const ADDR_LEN = { ipv4: 4, ipv6: 16, torv2: 10, torv3: 35 } as const;
const TYPE_NUM = { ipv4: 1, ipv6: 2, torv2: 3, torv3: 4, dns: 5 } as const;
const BY_NUM: Record<number, keyof typeof ADDR_LEN> = { 1: 'ipv4', 2: 'ipv6', 3: 'torv2', 4: 'torv3' };

function checkPort(p: number): void {
  if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`port out of range: ${p}`);
}

/** writeAddress appends one descriptor. */
export function writeAddress(w: Writer, a: AddressDescriptor): void {
  switch (a.type) {
    case 'ipv4':
    case 'ipv6':
    case 'torv2':
    case 'torv3':
      if (!(a.addr instanceof Uint8Array) || a.addr.length !== ADDR_LEN[a.type]) throw new RangeError(`${a.type} address must be ${ADDR_LEN[a.type]} bytes`);
      checkPort(a.port);
      w.u8(TYPE_NUM[a.type]).bytes(a.addr).u16(a.port);
      return;
    case 'dns': {
      // BOLT #7: "`hostname` bytes MUST be ASCII characters."
      if (!/^[\x00-\x7f]*$/.test(a.hostname)) throw new RangeError('hostname must be ASCII (use Punycode)');
      if (a.hostname.length > 255) throw new RangeError('hostname longer than 255 bytes');
      checkPort(a.port);
      const hb = Uint8Array.from(a.hostname, (ch) => ch.charCodeAt(0));
      w.u8(5).u8(hb.length).bytes(hb).u16(a.port);
      return;
    }
    case 'unknown':
      checkInt8(a.typeNum);
      w.u8(a.typeNum).bytes(a.data);
      return;
    default:
      throw new TypeError(`unknown address descriptor ${(a as { type: string }).type}`);
  }
}

function checkInt8(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`address type out of range: ${v}`);
  if (v >= 1 && v <= 5) throw new RangeError(`address type ${v} is known; use its own descriptor`);
}

/**
 * readAddress reads one descriptor. An unknown type swallows the rest of `r`: its length
 * is unknown, so nothing after it can be parsed (BOLT #7: "SHOULD ignore the first
 * `address descriptor` that does NOT match the types defined above").
 */
export function readAddress(r: Reader): AddressDescriptor {
  const t = r.u8();
  const name = BY_NUM[t];
  if (name) {
    const addr = r.bytes(ADDR_LEN[name]).slice();
    return { type: name, addr, port: r.u16() };
  }
  if (t === 5) {
    const hb = r.bytes(r.u8());
    for (const b of hb) if (b > 0x7f) throw new DecodeError('dns hostname is not ASCII');
    return { type: 'dns', hostname: String.fromCharCode(...hb), port: r.u16() };
  }
  return { type: 'unknown', typeNum: t, data: r.rest().slice() };
}

/** addressDescriptor: exactly one descriptor (the whole value), as in `remote_addr`. */
export const addressDescriptor: Codec<AddressDescriptor> = {
  name: 'address_descriptor',
  shape: { kind: 'address' },
  write: writeAddress,
  read: readAddress,
};

/**
 * addressList: `[u16:addrlen][addrlen*byte:addresses]` of `node_announcement`, as a list of
 * descriptors. BOLT #7: "if `addrlen` is insufficient to hold the address descriptors of the
 * known types: SHOULD send a `warning`" — that surfaces as a DecodeError.
 */
export const addressList: Codec<AddressDescriptor[]> = { ...u16Framed(restOf(addressDescriptor)), name: 'addresses', shape: { kind: 'address_list' } };

/** formatAddress renders a descriptor as host:port text (IPv6 in brackets, Tor as .onion). */
export function formatAddress(a: AddressDescriptor): string {
  switch (a.type) {
    case 'ipv4':
      return `${Array.from(a.addr).join('.')}:${a.port}`;
    case 'ipv6': {
      const parts: string[] = [];
      for (let i = 0; i < 16; i += 2) parts.push(((a.addr[i] << 8) | a.addr[i + 1]).toString(16));
      return `[${parts.join(':')}]:${a.port}`;
    }
    case 'torv2':
    case 'torv3':
      return `${base32(a.addr)}.onion:${a.port}`;
    case 'dns':
      return `${a.hostname}:${a.port}`;
    case 'unknown':
      return `unknown-address-type-${a.typeNum}`;
  }
}

/** RFC 4648 base32, lower case, no padding (Tor onion names). */
function base32(b: Uint8Array): string {
  const alpha = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const x of b) {
    acc = (acc << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += alpha[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += alpha[(acc << (5 - bits)) & 31];
  return out;
}
