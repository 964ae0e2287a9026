/**
 * Error types shared by every layer. Decoders throw DecodeError and nothing else, so callers
 * can map bad peer input to the spec's response without catching bugs by accident.
 */

/** DecodeError: bytes (from a peer, a file or the chain) do not parse. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** KiteError carries a stable, machine-readable code for RPC and CLI errors. */
export class KiteError extends Error {
  override name = 'KiteError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Result is an error-as-value for pure protocol code (Eclair style). */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
