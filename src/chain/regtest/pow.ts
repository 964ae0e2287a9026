/**
 * Proof of work: compact "nBits" targets, the check that a header hash meets its target,
 * chain work, and nonce grinding (trivial at regtest's target 0x207fffff).
 */
import { hashToHex } from '../../bitcoin/index.ts';
import { serializeHeader, type BlockHeader } from './block.ts';
import { sha256d } from '../../crypto/index.ts';
import { writeU32le } from './encoding.ts';

/**
 * compactToTarget expands nBits (Bitcoin Core's arith_uint256::SetCompact). Returns null for
 * negative or overflowing encodings, which no valid header may use.
 */
export function compactToTarget(bits: number): bigint | null {
  const size = bits >>> 24;
  let word = BigInt(bits & 0x007fffff);
  const negative = (bits & 0x00800000) !== 0;
  let target: bigint;
  if (size <= 3) target = word >> BigInt(8 * (3 - size));
  else target = word << BigInt(8 * (size - 3));
  if (negative && word !== 0n) return null;
  if (word !== 0n && (size > 34 || (word > 0xffn && size > 33) || (word > 0xffffn && size > 32))) return null;
  return target;
}

/** targetToCompact encodes a target as nBits (GetCompact). */
export function targetToCompact(target: bigint): number {
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let compact: number;
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)));
  else compact = Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return (compact | (size << 24)) >>> 0;
}

/** hashToBigint reads an internal-order hash as the little-endian 256-bit number it represents. */
export function hashToBigint(hash: Uint8Array): bigint {
  return BigInt('0x' + hashToHex(hash));
}

/**
 * checkProofOfWork is Bitcoin Core's CheckProofOfWork: the target must be positive and at
 * most the chain's powLimit, and the hash must not exceed it.
 */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  const target = compactToTarget(bits);
  if (target === null || target === 0n || target > powLimit) return false;
  return hashToBigint(hash) <= target;
}

/** blockWork is the expected number of hashes for a target: 2^256 / (target + 1) (GetBlockProof). */
export function blockWork(bits: number): bigint {
  const target = compactToTarget(bits);
  if (target === null || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}

/** difficulty is Bitcoin Core's GetDifficulty: the target of 0x1d00ffff divided by this one. */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}

/**
 * grindNonce finds a nonce for which the header meets its target, returning the solved
 * header and its hash. At regtest's target about one try in two succeeds.
 */
export function grindNonce(h: BlockHeader, powLimit: bigint): { header: BlockHeader; hash: Uint8Array } {
  const target = compactToTarget(h.bits);
  if (target === null || target === 0n || target > powLimit) throw new Error('grindNonce: invalid target');
  const buf = serializeHeader(h);
  for (let nonce = h.nonce >>> 0; ; nonce = (nonce + 1) >>> 0) {
    writeU32le(buf, 76, nonce);
    const hash = sha256d(buf);
    if (hashToBigint(hash) <= target) return { header: { ...h, nonce }, hash };
    if (nonce === 0xffffffff) throw new Error('grindNonce: nonce space exhausted');
  }
}
