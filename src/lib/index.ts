/** Layer 0: bytes, BigSize, branded units, errors. */
export * from './bytes.ts';
export * from './errors.ts';
export * from './reader.ts';
export * from './bigsize.ts';
export * from './units.ts';
export * from './error-codes.ts';
