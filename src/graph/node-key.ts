/** Node map keys. */
import { Buffer } from 'node:buffer';
import type { NodeKey } from './types.ts';

/** nodeKeyOf is the map key of a node id: lower-case hex, as one flat string (fast to hash). */
export function nodeKeyOf(nodeId: Uint8Array): NodeKey {
  return Buffer.from(nodeId.buffer, nodeId.byteOffset, nodeId.length).toString('hex');
}
