/**
 * Networks Kite runs on: chain hashes (BOLT #0: the genesis block hash in internal byte
 * order), default ports, and bech32 prefixes.
 */
import { fromHex, reverseBytes } from '../lib/bytes.ts';

export type Network = 'bitcoin' | 'testnet' | 'signet' | 'regtest';
export const NETWORKS: readonly Network[] = ['bitcoin', 'testnet', 'signet', 'regtest'];

const GENESIS: Record<Network, string> = {
  bitcoin: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  signet: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
};

/** chainHash is the 32-byte chain_hash of BOLT messages for a network. */
export function chainHash(n: Network): Uint8Array {
  return reverseBytes(fromHex(GENESIS[n]));
}

/** Default peer ports, as Core Lightning uses them. */
export const DEFAULT_PORT: Record<Network, number> = { bitcoin: 9735, testnet: 19735, signet: 39735, regtest: 19846 };
/** Default HTTP RPC ports (127.0.0.1 only). */
export const DEFAULT_HTTP_PORT: Record<Network, number> = { bitcoin: 9835, testnet: 19835, signet: 39835, regtest: 19847 };

export function isNetwork(s: string): s is Network {
  return (NETWORKS as readonly string[]).includes(s);
}
