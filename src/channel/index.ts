/**
 * Layer 3: channels. BOLT #3 transactions (funding output, commitment and HTLC
 * transactions, witnesses, weights); the BOLT #2 state machine may be added here too.
 */
export * from './scripts.ts';
export * from './weights.ts';
export * from './commitment-fees.ts';
export * from './commitment.ts';
export * from './htlc-tx.ts';
export * from './witness.ts';
export * from './funding.ts';
export * from './commitment-sign.ts';
// BOLT #2 channel state machine.
// The messages the machine sends and receives are wire/'s types, derived from its schemas.
export type {
  AcceptChannel,
  ChannelMessage,
  ChannelReady,
  ChannelReestablish,
  ClosingComplete,
  ClosingSig,
  ClosingSigned,
  ClosingTlvs,
  CommitmentSigned,
  ErrorMessage,
  FundingCreated,
  FundingSigned,
  OpenChannel,
  RevokeAndAck,
  Shutdown,
  UpdateAddHtlc,
  UpdateFailHtlc,
  UpdateFailMalformedHtlc,
  UpdateFee,
  UpdateFulfillHtlc,
  UpdateMessage,
  WarningMessage,
} from '../wire/index.ts';
export * from './channel-env.ts';
export { errorMessage, failChannel, signedLocalCommitment, channelIdOf } from './channel-common.ts';
export * from './state.ts';
export * from './htlc-state.ts';
export * from './updates.ts';
export * from './updates-protocol.ts';
export * from './spendable.ts';
export * from './limits.ts';
export * from './open.ts';
export * from './close.ts';
export * from './close-simple.ts';
export * from './reestablish.ts';
export * from './machine.ts';
