/**
 * What a gossip check returns: either the checked data, or the spec's response to a
 * violation as data (`ignore`, `warn`, `close`), never an exception.
 */

/**
 * GossipAction is the response BOLT #7 asks for:
 *  - `ignore`: drop the message silently (it may be stale, unknown, or for another chain);
 *  - `warn`: drop it and send the peer a `warning` (the peer sent something invalid);
 *  - `close`: drop it, send a `warning` and close the connection.
 */
export type GossipAction = 'ignore' | 'warn' | 'close';

/** Stable codes for each rejection, for tests, logs and metrics. */
export type GossipRejectCode =
  | 'malformed'
  | 'unknown_chain'
  | 'bad_signature'
  | 'node_ids_unordered'
  | 'duplicate'
  | 'conflicting_announcement'
  | 'blacklisted'
  | 'funding_missing'
  | 'funding_spent'
  | 'funding_wrong_script'
  | 'funding_unconfirmed'
  | 'funding_lookup_failed'
  | 'unknown_channel'
  | 'unknown_node'
  | 'channel_spent'
  | 'stale'
  | 'same_timestamp'
  | 'same_timestamp_different_fields'
  | 'far_future'
  | 'rate_limited';

/** GossipRejection: why a message was refused and what to do about the peer. */
export interface GossipRejection {
  ok: false;
  action: GossipAction;
  code: GossipRejectCode;
  reason: string;
}

/** GossipCheck is a check's outcome: the value, or a rejection. */
export type GossipCheck<T> = { ok: true; value: T } | GossipRejection;

/** reject builds a rejection. */
export function reject(action: GossipAction, code: GossipRejectCode, reason: string): GossipRejection {
  return { ok: false, action, code, reason };
}

/** accept wraps a checked value. */
export function accept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
