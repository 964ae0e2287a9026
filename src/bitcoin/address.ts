/**
 * Addresses: base58check P2PKH/P2SH and bech32 (BIP173) / bech32m (BIP350) segwit addresses,
 * converted to and from output scripts. The checksum codecs come from @scure/base; the hash
 * for base58check comes from the crypto facade.
 */
import { base58, bech32, bech32m, createBase58check } from '@scure/base';
import { DecodeError, KiteError, concatBytes } from '../lib/index.ts';
import { sha256 } from '../crypto/index.ts';
import { OP } from './opcodes.ts';
import { isP2PKH, isP2SH, p2pkhScript, p2shScript, witnessProgram } from './script.ts';

/** The networks Kite knows. testnet and signet share address prefixes. */
export type Network = 'bitcoin' | 'testnet' | 'signet' | 'regtest';

/** Address prefixes of one network: bech32 human-readable part and base58 version bytes. */
export interface AddressParams {
  hrp: string;
  p2pkh: number;
  p2sh: number;
}

/** NETWORK_PARAMS are the address prefixes from Bitcoin Core's chainparams. */
export const NETWORK_PARAMS: Record<Network, AddressParams> = {
  bitcoin: { hrp: 'bc', p2pkh: 0x00, p2sh: 0x05 },
  testnet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  signet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  regtest: { hrp: 'bcrt', p2pkh: 0x6f, p2sh: 0xc4 },
};

/** KiteError code for an address that does not parse or belongs to another network. */
export const ERR_BAD_ADDRESS = -5; // Bitcoin Core's RPC_INVALID_ADDRESS_OR_KEY

const b58c = createBase58check(sha256);

function bad(msg: string): never {
  throw new KiteError(ERR_BAD_ADDRESS, msg);
}

/**
 * encodeSegwitAddress encodes a witness program: bech32 for version 0, bech32m for 1..16
 * (BIP350 keeps bech32 for version 0 and uses bech32m for versions 1 to 16).
 */
export function encodeSegwitAddress(hrp: string, version: number, program: Uint8Array): string {
  const words = [version, ...bech32.toWords(program)];
  return version === 0 ? bech32.encode(hrp, words, 90) : bech32m.encode(hrp, words, 90);
}

/**
 * decodeSegwitAddress decodes a bech32/bech32m address, enforcing BIP173/BIP350: version 0
 * uses bech32 with a 20- or 32-byte program, versions 1..16 use bech32m with 2..40 bytes.
 * Returns null when the string is not bech32 at all; throws KiteError when it is bech32 but invalid.
 */
export function decodeSegwitAddress(addr: string): { hrp: string; version: number; program: Uint8Array } | null {
  let decoded: { prefix: string; words: number[] } | null = null;
  let isM = false;
  try {
    decoded = bech32.decode(addr as `${string}1${string}`, 90);
  } catch {
    try {
      decoded = bech32m.decode(addr as `${string}1${string}`, 90);
      isM = true;
    } catch {
      return null;
    }
  }
  const { prefix, words } = decoded;
  if (words.length < 1) bad('segwit address without a witness version');
  const version = words[0];
  if (version > 16) bad(`invalid witness version ${version}`);
  let program: Uint8Array;
  try {
    program = bech32.fromWords(words.slice(1));
  } catch {
    return bad('invalid padding in segwit address');
  }
  if (version === 0 && isM) bad('witness version 0 address must use bech32, not bech32m');
  if (version !== 0 && !isM) bad(`witness version ${version} address must use bech32m (BIP350)`);
  if (program.length < 2 || program.length > 40) bad(`invalid witness program length ${program.length}`);
  if (version === 0 && program.length !== 20 && program.length !== 32) bad(`invalid witness v0 program length ${program.length}`);
  return { hrp: prefix.toLowerCase(), version, program };
}

/**
 * addressToScript returns the output script an address pays to. It throws KiteError (code
 * ERR_BAD_ADDRESS) with a message naming the problem: bad checksum, unknown prefix, or an
 * address of another network.
 */
export function addressToScript(addr: string, network: Network): Uint8Array {
  const params = NETWORK_PARAMS[network];
  if (!params) bad(`unknown network ${network}`);
  const seg = decodeSegwitAddress(addr);
  if (seg) {
    if (seg.hrp !== params.hrp) bad(`address ${addr} is for another network (prefix '${seg.hrp}', expected '${params.hrp}' for ${network})`);
    const v = seg.version === 0 ? OP.OP_0 : OP.OP_1 + seg.version - 1;
    return concatBytes(Uint8Array.of(v, seg.program.length), seg.program);
  }
  let payload: Uint8Array;
  try {
    payload = b58c.decode(addr);
  } catch {
    let isB58 = true;
    try {
      base58.decode(addr);
    } catch {
      isB58 = false;
    }
    return bad(isB58 ? `address ${addr} has a bad checksum` : `'${addr}' is not a valid bitcoin address`);
  }
  if (payload.length !== 21) bad(`address ${addr} has a bad length`);
  const version = payload[0];
  const hash = payload.subarray(1);
  if (version === params.p2pkh) return p2pkhScript(hash);
  if (version === params.p2sh) return p2shScript(hash);
  for (const [net, p] of Object.entries(NETWORK_PARAMS)) {
    if (p.p2pkh === version || p.p2sh === version) bad(`address ${addr} is for another network (${net}), expected ${network}`);
  }
  return bad(`address ${addr} has unknown version byte ${version}`);
}

/**
 * scriptToAddress gives the address of a standard output script on a network, or null for
 * scripts that have none (bare multisig, OP_RETURN, non-standard).
 */
export function scriptToAddress(script: Uint8Array, network: Network): string | null {
  const params = NETWORK_PARAMS[network];
  if (isP2PKH(script)) return b58c.encode(concatBytes(Uint8Array.of(params.p2pkh), script.subarray(3, 23)));
  if (isP2SH(script)) return b58c.encode(concatBytes(Uint8Array.of(params.p2sh), script.subarray(2, 22)));
  const wp = witnessProgram(script);
  if (!wp) return null;
  if (wp.version === 0 && wp.program.length !== 20 && wp.program.length !== 32) return null;
  return encodeSegwitAddress(params.hrp, wp.version, wp.program);
}

/** isValidAddress reports whether addr parses for the network. */
export function isValidAddress(addr: string, network: Network): boolean {
  try {
    addressToScript(addr, network);
    return true;
  } catch (e) {
    if (e instanceof KiteError || e instanceof DecodeError) return false;
    throw e;
  }
}
