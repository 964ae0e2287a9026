/**
 * The in-process binding to the embedded regtest chain: the very same BitcoindBackend, given
 * the embedded chain's JSON-RPC handler as its RpcCall. The embedded path and the bitcoind
 * path therefore run the same code; only the transport differs.
 */
import { createChainRpc, type RegtestChain } from '../regtest/index.ts';
import { BitcoindBackend, type BitcoindBackendOptions } from './backend.ts';

/**
 * embeddedBackend wraps a RegtestChain as a ChainBackend. On a fresh regtest chain
 * `estimatesmartfee` often has no data, so the fallback feerate defaults to 1000 sat/kw
 * (4 sat/vbyte), like bitcoind's `-fallbackfee` on regtest.
 */
export function embeddedBackend(chain: RegtestChain, opts: BitcoindBackendOptions = {}): BitcoindBackend {
  return new BitcoindBackend(createChainRpc(chain), { fallbackFeerate: 1000, ...opts });
}
