/**
 * The seam between Kite and a Bitcoin Core-compatible JSON-RPC: one call function. The
 * bitcoind backend speaks through it over HTTP to a real bitcoind or to `kite-chain`, and
 * in-process straight to the embedded chain's handler, so both paths run the same code.
 */

/** RpcCall invokes a Bitcoin Core JSON-RPC method with positional params. */
export type RpcCall = (method: string, params: unknown[]) => Promise<unknown>;

/**
 * RpcError is a JSON-RPC error with Bitcoin Core's numeric code (e.g. -5
 * RPC_INVALID_ADDRESS_OR_KEY, -8 RPC_INVALID_PARAMETER, -25 RPC_VERIFY_ERROR, -26
 * RPC_VERIFY_REJECTED, -27 RPC_VERIFY_ALREADY_IN_CHAIN, -32601 method not found).
 */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bitcoin Core's RPC error codes used by Kite (src/rpc/protocol.h in Bitcoin Core). */
export const RPC_CODES = {
  MISC_ERROR: -1,
  TYPE_ERROR: -3,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
  IN_WARMUP: -28,
  METHOD_NOT_FOUND: -32601,
  INVALID_REQUEST: -32600,
  PARSE_ERROR: -32700,
} as const;
