/**
 * Taproot (BIP341) commitments: tapleaf and tapbranch hashes, the output-key tweak, and the
 * check that a script-path control block commits to the spent output key.
 */
import { Writer } from '../lib/index.ts';
import { compareBytes, concatBytes, equalBytes } from '../lib/index.ts';
import { getPublicKey, privNegate, privTweakAdd, pubTweakAdd, taggedHash } from '../crypto/index.ts';
import { writeCompactSize } from './compact-size.ts';

/** BIP341 constants. */
export const TAPROOT_LEAF_MASK = 0xfe;
export const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
export const TAPROOT_CONTROL_BASE_SIZE = 33;
export const TAPROOT_CONTROL_NODE_SIZE = 32;
export const TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
export const TAPROOT_CONTROL_MAX_SIZE = TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;
export const ANNEX_TAG = 0x50;

/** tapleafHash is BIP341's hashTapLeaf(v, s) = TaggedHash("TapLeaf", v || compact_size(s) || s). */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  const w = new Writer(script.length + 6);
  w.u8(leafVersion);
  writeCompactSize(w, script.length);
  w.bytes(script);
  return taggedHash('TapLeaf', w.finish());
}

/** tapbranchHash is TaggedHash("TapBranch", min(a,b) || max(a,b)). */
export function tapbranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? taggedHash('TapBranch', a, b) : taggedHash('TapBranch', b, a);
}

/** tapTweakHash is TaggedHash("TapTweak", p || merkle_root), with no root for key-only outputs. */
export function tapTweakHash(internalKey: Uint8Array, merkleRoot?: Uint8Array | null): Uint8Array {
  return merkleRoot ? taggedHash('TapTweak', internalKey, merkleRoot) : taggedHash('TapTweak', internalKey);
}

/**
 * taprootOutputKey computes the tweaked output key Q = P + t·G of an x-only internal key,
 * returning the x-only key and the parity of Q's Y coordinate.
 */
export function taprootOutputKey(internalKey: Uint8Array, merkleRoot?: Uint8Array | null): { key: Uint8Array; parity: number } {
  const q = pubTweakAdd(concatBytes(Uint8Array.of(0x02), internalKey), tapTweakHash(internalKey, merkleRoot));
  return { key: q.subarray(1), parity: q[0] & 1 };
}

/**
 * verifyTaprootCommitment is Core's VerifyTaprootCommitment: fold the control block's path
 * into a Merkle root from the leaf hash, then check that the output key equals the
 * internal key tweaked with that root, with the parity the control block claims.
 */
export function verifyTaprootCommitment(control: Uint8Array, program: Uint8Array, leafHash: Uint8Array): boolean {
  const pathLen = (control.length - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
  let k = leafHash;
  for (let i = 0; i < pathLen; i++) {
    const off = TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i;
    k = tapbranchHash(k, control.subarray(off, off + TAPROOT_CONTROL_NODE_SIZE));
  }
  try {
    const q = taprootOutputKey(control.subarray(1, 33), k);
    return equalBytes(q.key, program) && q.parity === (control[0] & 1);
  } catch {
    return false; // internal key not on the curve, or tweak out of range
  }
}

/** A taproot script tree: a leaf, or a pair of subtrees (BIP341's nested-list form). */
export type TapTree = { script: Uint8Array; leafVersion: number } | [TapTree, TapTree];

/** tapTreeRoot computes the Merkle root of a script tree (BIP341's taproot_tree_helper). */
export function tapTreeRoot(tree: TapTree): Uint8Array {
  if (Array.isArray(tree)) return tapbranchHash(tapTreeRoot(tree[0]), tapTreeRoot(tree[1]));
  return tapleafHash(tree.leafVersion, tree.script);
}

/**
 * taprootTweakPrivKey tweaks an internal private key into the key that signs for the output
 * key (BIP341 taproot_tweak_seckey): negate it if its public key has an odd Y, then add the
 * tweak hash.
 */
export function taprootTweakPrivKey(priv: Uint8Array, merkleRoot?: Uint8Array | null): Uint8Array {
  const pub = getPublicKey(priv, true);
  const d = pub[0] === 0x03 ? privNegate(priv) : priv;
  return privTweakAdd(d, tapTweakHash(pub.subarray(1), merkleRoot));
}

/** One spendable leaf of a script tree, with the control block that proves it (BIP341). */
export interface TapLeafSpend {
  script: Uint8Array;
  leafVersion: number;
  leafHash: Uint8Array;
  controlBlock: Uint8Array;
}

/**
 * taprootSpendInfo computes the output key of an internal key and script tree, and for every
 * leaf (in tree order) the control block a script-path spend reveals: BIP341's
 * "c[0] = v | parity, c[1:33] = internal key, then the Merkle path".
 */
export function taprootSpendInfo(internalKey: Uint8Array, tree: TapTree): { outputKey: Uint8Array; parity: number; merkleRoot: Uint8Array; leaves: TapLeafSpend[] } {
  const walk = (t: TapTree): { hash: Uint8Array; leaves: { script: Uint8Array; leafVersion: number; leafHash: Uint8Array; path: Uint8Array[] }[] } => {
    if (!Array.isArray(t)) {
      const h = tapleafHash(t.leafVersion, t.script);
      return { hash: h, leaves: [{ script: t.script, leafVersion: t.leafVersion, leafHash: h, path: [] }] };
    }
    const l = walk(t[0]);
    const r = walk(t[1]);
    for (const x of l.leaves) x.path.push(r.hash);
    for (const x of r.leaves) x.path.push(l.hash);
    return { hash: tapbranchHash(l.hash, r.hash), leaves: [...l.leaves, ...r.leaves] };
  };
  const w = walk(tree);
  const q = taprootOutputKey(internalKey, w.hash);
  return {
    outputKey: q.key,
    parity: q.parity,
    merkleRoot: w.hash,
    leaves: w.leaves.map((x) => ({
      script: x.script,
      leafVersion: x.leafVersion,
      leafHash: x.leafHash,
      controlBlock: concatBytes(Uint8Array.of((x.leafVersion & TAPROOT_LEAF_MASK) | q.parity), internalKey, ...x.path),
    })),
  };
}
