/**
 * Every error code Kite reports, in one table (layer 0, so any layer can name its codes).
 * JSON-RPC's own codes for protocol errors, Bitcoin Core's for chain-side argument errors,
 * and Core Lightning's numbering for the node's errors where it has one, so that clients
 * written for Core Lightning read them. docs/rpc.md lists them with their meaning.
 */
export const ErrorCodes = {
  /** JSON-RPC: the request is not valid JSON. */
  PARSE_ERROR: -32700,
  /** JSON-RPC: not a request object. */
  INVALID_REQUEST: -32600,
  /** JSON-RPC: no such method. */
  METHOD_NOT_FOUND: -32601,
  /** JSON-RPC: a parameter (or a flag of kited) is missing, of the wrong form or out of range. */
  INVALID_PARAMS: -32602,
  /** JSON-RPC: a bug in Kite. */
  INTERNAL: -32603,
  /** HTTP: missing or wrong token. */
  UNAUTHORIZED: -32001,
  /** Bitcoin Core's RPC_INVALID_PARAMETER, for chain-side argument errors. */
  CHAIN_INVALID_PARAMETER: -8,
  /** A generic failure of a command (Core Lightning's LIGHTNINGD). */
  FAILED: -1,
  /** pay: a payment for this hash is already in progress (Core Lightning's PAY_IN_PROGRESS). */
  PAY_IN_PROGRESS: 200,
  /** pay: no route to the destination (PAY_ROUTE_NOT_FOUND). */
  PAY_ROUTE_NOT_FOUND: 205,
  /** pay: the invoice expired (PAY_INVOICE_EXPIRED). */
  PAY_INVOICE_EXPIRED: 207,
  /** pay: gave up; every attempt failed (PAY_STOPPED_RETRYING). */
  PAY_STOPPED_RETRYING: 210,
  /** fundchannel/withdraw: the amount is above what is allowed (FUND_MAX_EXCEEDED). */
  FUND_MAX_EXCEEDED: 300,
  /** Not enough spendable funds for the amount plus fees (FUND_CANNOT_AFFORD). */
  FUND_CANNOT_AFFORD: 301,
  /** The output (or what is left for it after fees) is below the dust limit (FUND_OUTPUT_IS_DUST). */
  FUND_OUTPUT_IS_DUST: 302,
  /** The transaction named is not ours, or cannot be bumped. */
  WALLET_UNKNOWN_TX: 310,
  /** The transaction is already confirmed; no RBF or CPFP. */
  WALLET_ALREADY_CONFIRMED: 311,
  /** connect: the node id has no known address. */
  CONNECT_NO_KNOWN_ADDRESS: 401,
  /** connect: every address failed. */
  CONNECT_ALL_ADDRESSES_FAILED: 402,
  /** connect: the peer disconnected during init. */
  CONNECT_DISCONNECTED_DURING: 403,
  /** The peer named is not connected. */
  PEER_NOT_CONNECTED: 404,
  /** invoice: the label is taken (INVOICE_LABEL_ALREADY_EXISTS). */
  INVOICE_LABEL_ALREADY_EXISTS: 900,
  /** invoice: an invoice with this preimage exists (INVOICE_PREIMAGE_ALREADY_EXISTS). */
  INVOICE_PREIMAGE_ALREADY_EXISTS: 901,
  /** waitinvoice: the invoice expired unpaid (INVOICE_EXPIRED_DURING_WAIT). */
  INVOICE_EXPIRED_DURING_WAIT: 903,
  /** No invoice with that label or hash (INVOICE_NOT_FOUND). */
  INVOICE_NOT_FOUND: 905,
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
