/**
 * Named TypeScript types of the messages, each derived from its schema (bolt1.ts, bolt2.ts,
 * bolt7.ts) through `MessageByName`, so a message is described once. Decoded messages carry
 * `tlvs` (empty when none were sent) whenever their schema has TLV records; messages we build
 * set `tlvs: {}` when they have none to send.
 */
import type { MessageByName } from './messages.ts';

/** BOLT #1 `warning` (type 1). */
export type WarningMessage = MessageByName<'warning'>;
/** BOLT #1 `init` (type 16). */
export type InitMessage = MessageByName<'init'>;
/** BOLT #1 `error` (type 17). */
export type ErrorMessage = MessageByName<'error'>;
/** BOLT #1 `ping` (type 18). */
export type PingMessage = MessageByName<'ping'>;
/** BOLT #1 `pong` (type 19). */
export type PongMessage = MessageByName<'pong'>;

/** BOLT #2 `open_channel` (type 32). */
export type OpenChannel = MessageByName<'open_channel'>;
/** BOLT #2 `accept_channel` (type 33). */
export type AcceptChannel = MessageByName<'accept_channel'>;
/** BOLT #2 `funding_created` (type 34). */
export type FundingCreated = MessageByName<'funding_created'>;
/** BOLT #2 `funding_signed` (type 35). */
export type FundingSigned = MessageByName<'funding_signed'>;
/** BOLT #2 `channel_ready` (type 36). */
export type ChannelReady = MessageByName<'channel_ready'>;
/** BOLT #2 `shutdown` (type 38). */
export type Shutdown = MessageByName<'shutdown'>;
/** BOLT #2 `closing_signed` (type 39). */
export type ClosingSigned = MessageByName<'closing_signed'>;
/** BOLT #2 `closing_complete` (type 40, option_simple_close). */
export type ClosingComplete = MessageByName<'closing_complete'>;
/** BOLT #2 `closing_sig` (type 41, option_simple_close). */
export type ClosingSig = MessageByName<'closing_sig'>;
/** BOLT #2 `closing_tlvs`: the closer signs up to three variants of its closing transaction. */
export type ClosingTlvs = ClosingComplete['tlvs'];
/** BOLT #2 `update_add_htlc` (type 128). */
export type UpdateAddHtlc = MessageByName<'update_add_htlc'>;
/** BOLT #2 `update_fulfill_htlc` (type 130). */
export type UpdateFulfillHtlc = MessageByName<'update_fulfill_htlc'>;
/** BOLT #2 `update_fail_htlc` (type 131). */
export type UpdateFailHtlc = MessageByName<'update_fail_htlc'>;
/** BOLT #2 `commitment_signed` (type 132). */
export type CommitmentSigned = MessageByName<'commitment_signed'>;
/** BOLT #2 `revoke_and_ack` (type 133). */
export type RevokeAndAck = MessageByName<'revoke_and_ack'>;
/** BOLT #2 `update_fee` (type 134). */
export type UpdateFee = MessageByName<'update_fee'>;
/** BOLT #2 `update_fail_malformed_htlc` (type 135). */
export type UpdateFailMalformedHtlc = MessageByName<'update_fail_malformed_htlc'>;
/** BOLT #2 `channel_reestablish` (type 136). */
export type ChannelReestablish = MessageByName<'channel_reestablish'>;

/** The BOLT #2 updates: the messages that change a commitment and are acknowledged by `revoke_and_ack`. */
export type UpdateMessage = UpdateAddHtlc | UpdateFulfillHtlc | UpdateFailHtlc | UpdateFailMalformedHtlc | UpdateFee;

/** Every message the BOLT #2 channel state machine (src/channel/) sends or receives. */
export type ChannelMessage =
  | OpenChannel
  | AcceptChannel
  | FundingCreated
  | FundingSigned
  | ChannelReady
  | Shutdown
  | ClosingSigned
  | ClosingComplete
  | ClosingSig
  | UpdateMessage
  | CommitmentSigned
  | RevokeAndAck
  | ChannelReestablish
  | ErrorMessage
  | WarningMessage;
