/** Layer 7: the RPC surface (schemas, dispatcher, unix-socket and HTTP transports, client). */
export * from './errors.ts';
export * from './schema.ts';
export * from './methods.ts';
export * from './dispatcher.ts';
export * from './json.ts';
export * from './server.ts';
export * from './client.ts';
