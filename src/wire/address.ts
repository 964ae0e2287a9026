/**
 * Address descriptors (BOLT #7 "The `node_announcement` Message"), used by
 * `node_announcement.addresses` and by `init`'s `remote_addr` (BOLT #1).
 *
 * BOLT #7: "The first byte describes the address type and is followed by the appropriate
 * number of bytes for that type."
 */
import { DecodeError } from '../lib/errors.ts';
import type { Reader, Writer } from '../lib/reader.ts';
import { base32nopad } from '@scure/base';
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
    case 'ipv6':
      return `[${formatIpv6(a.addr)}]:${a.port}`;
    case 'torv2':
    case 'torv3':
      return `${base32nopad.encode(a.addr).toLowerCase()}.onion:${a.port}`;
    case 'dns':
      return `${a.hostname}:${a.port}`;
    case 'unknown':
      return `unknown-address-type-${a.typeNum}`;
  }
}

/** formatIpv6 writes RFC 5952 text: lower-case hex, the longest run of 2+ zero groups as `::`. */
function formatIpv6(addr: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((addr[i]! << 8) | addr[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** parseIpv4 reads dotted-quad text, or returns null. */
function parseIpv4(s: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : null;
}

/** parseIpv6 reads RFC 4291 text (with `::` and an optional dotted-quad tail), or returns null. */
function parseIpv6(s: string): Uint8Array | null {
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const q = parseIpv4(v4[2]!);
    if (!q) return null;
    tail = [(q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!];
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const h of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return null;
      out.push(parseInt(h, 16));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * parseAddress reads `host[:port]` text into a descriptor: dotted IPv4, `[IPv6]`, a Tor v3
 * `.onion` name (56 base32 characters = 35 bytes), or else a DNS hostname. Bad text is a
 * RangeError naming what was expected (this is user input, not peer input).
 */
export function parseAddress(text: string, defaultPort = 9735): AddressDescriptor {
  let host = text.trim();
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else {
    const hp = /^([^:]+):(\d+)$/.exec(host);
    if (hp) {
      host = hp[1]!;
      port = Number(hp[2]);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`port must be 0-65535 in ${JSON.stringify(text)}`);
  if (bracket || host.includes(':')) {
    const addr = parseIpv6(host);
    if (!addr) throw new RangeError(`not an IPv6 address: ${JSON.stringify(host)}`);
    return { type: 'ipv6', addr, port };
  }
  const v4 = parseIpv4(host);
  if (v4) return { type: 'ipv4', addr: v4, port };
  if (/^\d+(\.\d+)*$/.test(host)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(host)}`);
  const onion = /^([a-z2-7]{56})\.onion$/i.exec(host);
  if (onion) return { type: 'torv3', addr: base32nopad.decode(onion[1]!.toUpperCase()), port };
  if (/\.onion$/i.test(host)) throw new RangeError(`only Tor v3 (56-character) onion names are supported: ${JSON.stringify(host)}`);
  if (!/^[A-Za-z0-9.-]{1,255}$/.test(host)) throw new RangeError(`not a hostname (ASCII letters, digits, '.', '-'; use Punycode): ${JSON.stringify(host)}`);
  return { type: 'dns', hostname: host, port };
}
