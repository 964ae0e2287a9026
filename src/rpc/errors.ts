/**
 * Stable RPC error codes. JSON-RPC's own codes for protocol errors, and Core Lightning's
 * numbering for the node's errors where CLN has one, so that existing clients read them.
 */
export const RpcErrors = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  /** A generic failure of a command (CLN's LIGHTNINGD). */
  FAILED: -1,
  /** HTTP: missing or wrong token. */
  UNAUTHORIZED: -32001,
  /** connect: the node id has no known address (CLN 401). */
  CONNECT_NO_KNOWN_ADDRESS: 401,
  /** connect: every address failed (CLN 402). */
  CONNECT_ALL_ADDRESSES_FAILED: 402,
  /** connect: the peer refused us during init (CLN 403-ish). */
  CONNECT_DISCONNECTED_DURING: 403,
  /** The peer named is not connected. */
  PEER_NOT_CONNECTED: 404,
} as const;
