/**
 * Layer 3: BOLT 8 encrypted and authenticated transport, sans-I/O. The handshake is a set of
 * pure steps; the session is a pair of CipherStates; framing is encryptMessage plus a
 * streaming MessageDecoder. The socket adapter is src/node/noise-socket.ts.
 */
export * from './errors.ts';
export * from './cipher-state.ts';
export * from './handshake.ts';
export * from './message-codec.ts';
