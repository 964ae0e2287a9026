/**
 * The BOLT 8 link factory: dials and answers peers with the Noise socket.
 */
import type { Socket } from 'node:net';
import { getPublicKey } from '../crypto/index.ts';
import type { Logger } from './log.ts';
import { acceptNoise, connectNoise } from './noise-socket.ts';
import type { LinkFactory } from './peers.ts';

/** noiseLinks makes a LinkFactory for a node secret. */
export function noiseLinks(secret: Uint8Array, handshakeTimeoutMs: number, log: Logger): LinkFactory {
  const localPubkey = getPublicKey(secret);
  return {
    dial: (host, port, remotePubkey) => connectNoise({ host, port, remotePubkey, localSecret: secret, localPubkey, handshakeTimeoutMs }),
    accept: (socket: Socket) => {
      log.debug('inbound connection', { remote: `${socket.remoteAddress}:${socket.remotePort}` });
      return acceptNoise(socket, { localSecret: secret, localPubkey, handshakeTimeoutMs });
    },
  };
}
