/**
 * Stable RPC error codes: the one table is `lib/error-codes.ts` (so that every layer names
 * the codes it throws); the RPC reads it under its old name.
 */
export { ErrorCodes as RpcErrors, type ErrorCode } from '../lib/error-codes.ts';
