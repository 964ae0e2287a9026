/**
 * Fallback on-chain addresses (`f` field): conversions between the invoice form (version +
 * program), address strings and output scripts, for the networks BOLT 11 prefixes name.
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import { sha256 } from '../crypto/index.ts';
import { concatBytes } from '../lib/index.ts';
import { InvoiceError } from './errors.ts';
import type { Fallback, InvoiceNetwork } from './types.ts';

const base58check = createBase58check(sha256);

interface AddressParams {
  pubkeyHash: number;
  scriptHash: number;
  segwitHrp: string;
}

const PARAMS: Readonly<Record<InvoiceNetwork, AddressParams>> = {
  bitcoin: { pubkeyHash: 0x00, scriptHash: 0x05, segwitHrp: 'bc' },
  testnet: { pubkeyHash: 0x6f, scriptHash: 0xc4, segwitHrp: 'tb' },
  signet: { pubkeyHash: 0x6f, scriptHash: 0xc4, segwitHrp: 'tb' },
  regtest: { pubkeyHash: 0x6f, scriptHash: 0xc4, segwitHrp: 'bcrt' },
  simnet: { pubkeyHash: 0x3f, scriptHash: 0x7b, segwitHrp: 'sb' },
};

/** Fallback version 17: P2PKH, followed by a 20-byte public key hash (versions 0-16 are witness versions). */
export const FALLBACK_P2PKH = 17;
/** Fallback version 18: P2SH, followed by a 20-byte script hash. */
export const FALLBACK_P2SH = 18;

/**
 * fallbackProblem says why a (version, program) pair is not a valid fallback, or returns
 * null. BOLT #11: "MUST set an `f` field to a valid witness version and program, OR to `17`
 * followed by a public key hash, OR to `18` followed by a script hash."
 */
export function fallbackProblem(fb: Fallback): string | null {
  const { version, program } = fb;
  if (!Number.isInteger(version) || version < 0 || version > 18) return `unknown fallback version ${version}`;
  if (version === FALLBACK_P2PKH || version === FALLBACK_P2SH) {
    return program.length === 20 ? null : `fallback version ${version} needs a 20-byte hash, got ${program.length} bytes`;
  }
  if (version === 0) return program.length === 20 || program.length === 32 ? null : `witness v0 program must be 20 or 32 bytes, got ${program.length}`;
  return program.length >= 2 && program.length <= 40 ? null : `witness v${version} program must be 2 to 40 bytes, got ${program.length}`;
}

/** fallbackType names a fallback the way Core Lightning's `decode` does. */
export function fallbackType(fb: Fallback): 'P2PKH' | 'P2SH' | 'P2WPKH' | 'P2WSH' | 'P2TR' | 'WITNESS_UNKNOWN' {
  if (fb.version === FALLBACK_P2PKH) return 'P2PKH';
  if (fb.version === FALLBACK_P2SH) return 'P2SH';
  if (fb.version === 0) return fb.program.length === 20 ? 'P2WPKH' : 'P2WSH';
  if (fb.version === 1 && fb.program.length === 32) return 'P2TR';
  return 'WITNESS_UNKNOWN';
}

/** fallbackToAddress renders a fallback as an address string of `network` (BIP-13/173/350). */
export function fallbackToAddress(fb: Fallback, network: InvoiceNetwork): string {
  const p = PARAMS[network];
  if (fb.version === FALLBACK_P2PKH) return base58check.encode(concatBytes(Uint8Array.of(p.pubkeyHash), fb.program));
  if (fb.version === FALLBACK_P2SH) return base58check.encode(concatBytes(Uint8Array.of(p.scriptHash), fb.program));
  const words = [fb.version, ...bech32.toWords(fb.program)];
  return fb.version === 0 ? bech32.encode(p.segwitHrp, words, false) : bech32m.encode(p.segwitHrp, words, false);
}

/** fallbackScriptPubKey is the output script a fallback pays to. */
export function fallbackScriptPubKey(fb: Fallback): Uint8Array {
  if (fb.version === FALLBACK_P2PKH) return concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), fb.program, Uint8Array.of(0x88, 0xac));
  if (fb.version === FALLBACK_P2SH) return concatBytes(Uint8Array.of(0xa9, 0x14), fb.program, Uint8Array.of(0x87));
  const op = fb.version === 0 ? 0x00 : 0x50 + fb.version;
  return concatBytes(Uint8Array.of(op, fb.program.length), fb.program);
}

/**
 * addressToFallback parses an address of `network` into a fallback, so callers can give
 * fallbacks as strings. Throws InvoiceError for anything else.
 */
export function addressToFallback(address: string, network: InvoiceNetwork): Fallback {
  const p = PARAMS[network];
  const lower = address.toLowerCase();
  if (lower.startsWith(p.segwitHrp + '1')) {
    let dec: { prefix: string; words: number[] } | undefined;
    let isM = false;
    try {
      dec = bech32.decode(lower as `${string}1${string}`, false);
    } catch {
      try {
        dec = bech32m.decode(lower as `${string}1${string}`, false);
        isM = true;
      } catch {
        /* fall through */
      }
    }
    if (dec && dec.prefix === p.segwitHrp && dec.words.length > 0) {
      const version = dec.words[0];
      if ((version === 0) !== !isM) throw new InvoiceError('f', `address ${address} uses the wrong checksum for witness version ${version}`);
      let program: Uint8Array;
      try {
        program = bech32.fromWords(dec.words.slice(1));
      } catch {
        throw new InvoiceError('f', `address ${address} has a malformed witness program`);
      }
      const fb = { version, program };
      const problem = fallbackProblem(fb);
      if (problem !== null || version > 16) throw new InvoiceError('f', `address ${address}: ${problem ?? 'bad witness version'}`);
      return fb;
    }
    throw new InvoiceError('f', `address ${address} is not a valid segwit address`);
  }
  let raw: Uint8Array;
  try {
    raw = base58check.decode(address);
  } catch {
    throw new InvoiceError('f', `address ${address} is not a valid ${network} address`);
  }
  if (raw.length === 21 && raw[0] === p.pubkeyHash) return { version: FALLBACK_P2PKH, program: raw.slice(1) };
  if (raw.length === 21 && raw[0] === p.scriptHash) return { version: FALLBACK_P2SH, program: raw.slice(1) };
  throw new InvoiceError('f', `address ${address} is not a ${network} P2PKH or P2SH address`);
}
