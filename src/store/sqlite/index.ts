/** Layer 5: the SQLite storage adapter. */
export * from './database.ts';
export * from './node-schema.ts';
export * from './record-codec.ts';
