/**
 * Stable error codes of the on-chain wallet (KiteError.code), by their names in the one
 * table, lib/error-codes.ts (Core Lightning's numbering for the funding codes).
 */
import { ErrorCodes } from '../lib/error-codes.ts';

export const WALLET_ERRORS = {
  INVALID_PARAMS: ErrorCodes.INVALID_PARAMS,
  FUND_MAX_EXCEEDED: ErrorCodes.FUND_MAX_EXCEEDED,
  FUND_CANNOT_AFFORD: ErrorCodes.FUND_CANNOT_AFFORD,
  FUND_OUTPUT_IS_DUST: ErrorCodes.FUND_OUTPUT_IS_DUST,
  UNKNOWN_TX: ErrorCodes.WALLET_UNKNOWN_TX,
  ALREADY_CONFIRMED: ErrorCodes.WALLET_ALREADY_CONFIRMED,
} as const;
