/**
 * Randomness for the adapter layers. Protocol code takes randomness as an injected
 * function (DESIGN.md "Layers"), and the node passes this one.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';

export type RandomSource = (n: number) => Uint8Array;

/** randomBytes returns n cryptographically secure random bytes. */
export const randomBytes: RandomSource = (n) => {
  const b = nodeRandomBytes(n);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};
