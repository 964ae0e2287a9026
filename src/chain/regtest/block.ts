/**
 * Blocks: the 80-byte header, block (de)serialization, the merkle root with Bitcoin Core's
 * mutation check (CVE-2012-2459: a duplicated last pair gives the same root), and the BIP141
 * witness commitment.
 */
import { DecodeError, concatBytes, equalBytes } from '../../lib/index.ts';
import { sha256d } from '../../crypto/index.ts';
import { compactSizeLength, encodeCompactSize, readCompactSizeAt } from '../../bitcoin/index.ts';
import { finishTxData, scanTx, type TxData } from './tx-data.ts';
import { parseBlockHeader, parseTx, serializeBlockHeader, type BlockHeader, type Tx } from '../../bitcoin/index.ts';

/** The 80-byte block header (bitcoin/block-header.ts). */
export type { BlockHeader } from '../../bitcoin/index.ts';

/** A block: header plus transactions with cached identifiers. */
export interface Block {
  header: BlockHeader;
  txs: TxData[];
}

/** serializeHeader, parseHeader and headerHash are bitcoin/'s block header codec. */
export { serializeBlockHeader as serializeHeader, parseBlockHeader as parseHeader, blockHeaderHash as headerHash } from '../../bitcoin/index.ts';

/** serializeBlock encodes a block with witness data. */
export function serializeBlock(b: Block): Uint8Array {
  return concatBytes(serializeBlockHeader(b.header), encodeCompactSize(b.txs.length), ...b.txs.map((t) => t.raw));
}

/** parseBlock decodes a serialized block (throws DecodeError on malformed input). */
export function parseBlock(raw: Uint8Array): Block {
  const header = parseBlockHeader(raw, 0);
  let [n, p] = readCompactSizeAt(raw, 80);
  if (n > raw.length) throw new DecodeError('block transaction count exceeds its size');
  const txs: TxData[] = [];
  for (let i = 0; i < n; i++) {
    const layout = scanTx(raw, p);
    const bytes = raw.subarray(p, layout.end);
    txs.push(finishTxData(parseTx(bytes), bytes, { ...layout, end: layout.end - p, witnessStart: layout.witnessStart - p }));
    p = layout.end;
  }
  if (p !== raw.length) throw new DecodeError('trailing bytes after block');
  return { header, txs };
}

/** blockSizes reports stripped size, total size and weight of a block (BIP141). */
export function blockSizes(b: Block): { strippedSize: number; size: number; weight: number } {
  const countLen = compactSizeLength(b.txs.length);
  let base = 80 + countLen;
  let total = 80 + countLen;
  for (const t of b.txs) {
    base += t.baseSize;
    total += t.totalSize;
  }
  return { strippedSize: base, size: total, weight: base * 3 + total };
}

/**
 * merkleRoot computes Bitcoin's merkle root of `hashes`, duplicating the last hash of odd
 * levels. `mutated` is set when two identical hashes are paired at any level (Bitcoin Core's
 * ComputeMerkleRoot): such a block has the same root as a different, valid one.
 */
export function merkleRoot(hashes: Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (hashes.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = hashes;
  let mutated = false;
  const pair = new Uint8Array(64);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i];
      const b = i + 1 < level.length ? level[i + 1] : level[i];
      if (i + 1 < level.length && equalBytes(a, b)) mutated = true;
      pair.set(a, 0);
      pair.set(b, 32);
      next.push(sha256d(pair));
    }
    level = next;
  }
  return { root: level[0], mutated };
}

/** blockMerkleRoot is the merkle root of a block's txids. */
export function blockMerkleRoot(txs: TxData[]): { root: Uint8Array; mutated: boolean } {
  return merkleRoot(txs.map((t) => t.txid));
}

/** The four magic bytes after OP_RETURN and the push of 36 bytes (BIP141 commitment header). */
const COMMITMENT_HEADER = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed);

/**
 * witnessCommitmentIndex finds the coinbase output carrying the witness commitment: BIP141:
 * "If there are more than one scriptPubKey matching the pattern, the one with highest output
 * index is assumed to be the commitment." Returns -1 if none.
 */
export function witnessCommitmentIndex(coinbase: Tx): number {
  let idx = -1;
  coinbase.outputs.forEach((o, i) => {
    if (o.script.length >= 38 && equalBytes(o.script.subarray(0, 6), COMMITMENT_HEADER)) idx = i;
  });
  return idx;
}

/**
 * witnessCommitment computes BIP141's commitment: "Double-SHA256(witness root hash|witness
 * reserved value)", where the witness root is the merkle root of wtxids with the coinbase's
 * wtxid taken as 0x0000....0000.
 */
export function witnessCommitment(txs: TxData[], reserved: Uint8Array): Uint8Array {
  const hashes = txs.map((t, i) => (i === 0 ? new Uint8Array(32) : t.wtxid));
  return sha256d(concatBytes(merkleRoot(hashes).root, reserved));
}

/** commitmentScript builds the OP_RETURN output script carrying a witness commitment. */
export function commitmentScript(commitment: Uint8Array): Uint8Array {
  return concatBytes(COMMITMENT_HEADER, commitment);
}

