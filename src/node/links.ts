/**
 * The BOLT 8 link factory over TCP: dials peers and listens for them with the Noise socket.
 * Sockets stay inside this adapter; the peer manager sees only authenticated links.
 */
import net from 'node:net';
import { getPublicKey } from '../crypto/index.ts';
import type { Logger } from './log.ts';
import { acceptNoise, connectNoise } from './noise-socket.ts';
import type { LinkFactory, LinkListener } from './peers.ts';

/** noiseLinks makes a TCP LinkFactory for a node secret. */
export function noiseLinks(secret: Uint8Array, handshakeTimeoutMs: number, log: Logger): LinkFactory {
  const localPubkey = getPublicKey(secret);
  return {
    dial: (host, port, remotePubkey) => connectNoise({ host, port, remotePubkey, localSecret: secret, localPubkey, handshakeTimeoutMs }),
    async listen(host, port, onLink): Promise<LinkListener> {
      const inbound = new Set<net.Socket>();
      const server = net.createServer((sock) => {
        inbound.add(sock);
        sock.on('close', () => inbound.delete(sock));
        sock.on('error', () => {});
        const remote = `${sock.remoteAddress}:${sock.remotePort}`;
        log.debug('inbound connection', { remote });
        acceptNoise(sock, { localSecret: secret, localPubkey, handshakeTimeoutMs }).then(onLink, (e: Error) => {
          log.info('inbound handshake failed', { remote, reason: e.message });
          sock.destroy();
        });
      });
      server.on('error', (e) => log.warn('listener error', { error: e.message }));
      await new Promise<void>((res, rej) => {
        server.once('error', rej);
        server.listen(port, host, () => res());
      });
      return {
        port: (server.address() as net.AddressInfo).port,
        close: async () => {
          for (const s of inbound) s.destroy();
          await new Promise<void>((res) => server.close(() => res()));
        },
      };
    },
  };
}
