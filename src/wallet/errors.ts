/**
 * Stable error codes of the on-chain wallet (KiteError.code). The funding codes follow Core
 * Lightning's numbering (FUND_MAX_EXCEEDED 300, FUND_CANNOT_AFFORD 301, FUND_OUTPUT_IS_DUST
 * 302) so that existing clients read them.
 */
export const WALLET_ERRORS = {
  /** A parameter is malformed or out of range; the message names it. */
  INVALID_PARAMS: -32602,
  FUND_MAX_EXCEEDED: 300,
  /** Not enough spendable funds for the amount plus fees. */
  FUND_CANNOT_AFFORD: 301,
  /** The output (or what is left for it after fees) is below the dust limit. */
  FUND_OUTPUT_IS_DUST: 302,
  /** The transaction named is not ours, or cannot be bumped. */
  UNKNOWN_TX: 310,
  /** The transaction is already confirmed; no RBF or CPFP. */
  ALREADY_CONFIRMED: 311,
} as const;
