/**
 * The channel state: a discriminated union of states named after what each waits for
 * (DESIGN.md "State machines"), each with an immutable data record. Everything here is
 * plain data (Uint8Array, bigint, numbers, strings), so the node can persist it whole.
 */
import type { Msat, Sat, ShortChannelId } from '../lib/index.ts';
import type { Tx } from '../bitcoin/index.ts';
import type { ChannelPublicKeys } from '../keys/index.ts';
import type { CommitmentType } from './commitment-fees.ts';
import type { Outpoint } from './commitment.ts';
import type { HtlcState } from './htlc-state.ts';
import type {
  AcceptChannel,
  ClosingComplete,
  ClosingSigned,
  CommitmentSigned,
  OpenChannel,
  RevokeAndAck,
  Shutdown,
  UpdateMessage,
} from '../wire/index.ts';

/** One side's channel parameters, as announced in open_channel / accept_channel. */
export interface SideParams {
  dustLimit: Sat;
  maxHtlcValueInFlight: Msat;
  /** The reserve this side requires the OTHER side to keep (`channel_reserve_satoshis`). */
  channelReserve: Sat;
  htlcMinimum: Msat;
  /** The delay this side imposes on the OTHER side's to-self outputs. */
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  pubkeys: ChannelPublicKeys;
  /** The upfront shutdown script (empty = none). */
  upfrontShutdownScript: Uint8Array;
}

/** The fixed parameters of a funded channel. */
export interface ChannelParams {
  channelId: Uint8Array;
  temporaryChannelId: Uint8Array;
  /** Our channel key index: the node rebuilds our Signer from it. */
  channelKeyIndex: bigint;
  localIsFunder: boolean;
  type: CommitmentType;
  channelType: Uint8Array;
  announce: boolean;
  funding: Outpoint;
  fundingAmount: Sat;
  /** The depth the funding transaction must reach before we send channel_ready. */
  minimumDepth: number;
  local: SideParams;
  remote: SideParams;
  obscuringFactor: bigint;
}

/** How a removed HTLC was removed. */
export type HtlcRemoval =
  | { kind: 'fulfill'; preimage: Uint8Array }
  | { kind: 'fail'; reason: Uint8Array }
  | { kind: 'fail_malformed'; sha256OfOnion: Uint8Array; failureCode: number };

/** One HTLC in the channel, from our point of view. */
export interface HtlcRecord {
  /** 'offered': we added it (we pay it); 'received': the peer added it. */
  direction: 'offered' | 'received';
  id: bigint;
  amount: Msat;
  paymentHash: Uint8Array;
  cltvExpiry: number;
  onion: Uint8Array;
  state: HtlcState;
  removal: HtlcRemoval | null;
  /** A received HTLC that pushed a commitment's dust exposure over our limit: fail it once committed. */
  overDustExposure?: boolean;
}

/** A pending `update_fee`, walking the ADD states of whoever sent it. */
export interface FeeUpdate {
  feeratePerKw: number;
  state: HtlcState;
}

/** The balances and feerate of one commitment, from our point of view. */
export interface CommitmentSpec {
  feeratePerKw: number;
  /** Our balance, before fees and anchors. */
  toLocal: Msat;
  /** The peer's balance, before fees and anchors. */
  toRemote: Msat;
}

/** Our current commitment and the peer's signatures on it (enough to broadcast it). */
export interface LocalCommit {
  number: bigint;
  spec: CommitmentSpec;
  txid: Uint8Array;
  remoteSig: Uint8Array;
  remoteHtlcSigs: Uint8Array[];
}

/** The peer's latest commitment that we signed. */
export interface RemoteCommit {
  number: bigint;
  spec: CommitmentSpec;
  txid: Uint8Array;
  perCommitmentPoint: Uint8Array;
}

/** The live commitment state of a funded channel. */
export interface Commitments {
  params: ChannelParams;
  htlcs: HtlcRecord[];
  fees: FeeUpdate[];
  localCommit: LocalCommit;
  remoteCommit: RemoteCommit;
  /** The peer's point for its next commitment (null until known). */
  remoteNextPoint: Uint8Array | null;
  /** We signed remoteCommit and wait for the peer to revoke the one before. */
  awaitingRevocation: boolean;
  /** The point of the peer commitment that its next revoke_and_ack must revoke. */
  remotePrevPoint: Uint8Array | null;
  /** A sign was requested while awaiting revocation. */
  signPending: boolean;
  nextLocalHtlcId: bigint;
  nextRemoteHtlcId: bigint;
  /** The peer's revealed per-commitment secrets (ShachainStore.serialize()). */
  remoteSecrets: Uint8Array;
  /** Our update messages not yet covered by a commitment_signed we sent. */
  pendingLocalUpdates: UpdateMessage[];
  /** Our last commitment_signed and the updates it covered, until the peer revokes. */
  lastSentCommit: { updates: UpdateMessage[]; commit: CommitmentSigned } | null;
  /** Our last revoke_and_ack (to retransmit after reconnection). */
  lastSentRevoke: RevokeAndAck | null;
  /** Whether, of the two, the revoke_and_ack was sent after the commitment_signed. */
  revokeAfterCommit: boolean;
  /** Connection: 'up', 'down', or 'reestablishing' (sent channel_reestablish, waiting for theirs). */
  connection: 'up' | 'down' | 'reestablishing';
}

/** What the funder remembers between open_channel and accept_channel. */
export interface PendingOpen {
  channelKeyIndex: bigint;
  open: OpenChannel;
  localIsFunder: boolean;
}

/** States. */
export type ChannelState =
  | { name: 'AwaitingAcceptChannel'; pending: PendingOpen }
  | { name: 'AwaitingFundingTx'; pending: PendingOpen; accept: AcceptChannel }
  | { name: 'AwaitingFundingCreated'; pending: PendingOpen; accept: AcceptChannel }
  | { name: 'AwaitingFundingSigned'; commitments: Commitments; fundingTx: Tx }
  | {
      name: 'AwaitingFundingConfirmed';
      commitments: Commitments;
      fundingTx: Tx | null;
      /** The peer's channel_ready, if it came early. */
      remoteReady: boolean;
    }
  | { name: 'AwaitingChannelReady'; commitments: Commitments; shortChannelId: ShortChannelId; localAlias: ShortChannelId }
  | {
      name: 'Normal';
      commitments: Commitments;
      shortChannelId: ShortChannelId;
      localAlias: ShortChannelId;
      remoteAlias: ShortChannelId | null;
    }
  | {
      name: 'ShuttingDown';
      commitments: Commitments;
      shortChannelId: ShortChannelId | null;
      localShutdown: Shutdown | null;
      remoteShutdown: Shutdown | null;
    }
  | {
      name: 'Negotiating';
      commitments: Commitments;
      localShutdown: Shutdown;
      remoteShutdown: Shutdown;
      lastSent: ClosingSigned | null;
      lastReceived: ClosingSigned | null;
      /** The block height when negotiation began (for its timeout; absent in older records). */
      startedAtHeight?: number;
    }
  | {
      /** option_simple_close: each side proposes (and pays for) its own closing transaction. */
      name: 'NegotiatingSimple';
      commitments: Commitments;
      /** Our current output script and the last one the peer told us. */
      localScript: Uint8Array;
      remoteScript: Uint8Array;
      /** Our closing_complete awaiting its closing_sig. */
      sentComplete: ClosingComplete | null;
      /** Closing transactions broadcast so far (ours and theirs). */
      closingTxs: Tx[];
    }
  | { name: 'Closing'; commitments: Commitments; closingTx: Tx }
  | { name: 'Closed'; channelId: Uint8Array; reason: string }
  | {
      name: 'Errored';
      channelId: Uint8Array;
      /** Our latest signed commitment, if we had one. */
      commitments: Commitments | null;
      error: string;
      /** The peer proved we lost data: we must not broadcast our commitment. */
      dataLoss: boolean;
    };

/** The name of a state. */
export type ChannelStateName = ChannelState['name'];

/** States that hold a funded channel's commitments. */
export type FundedState = Extract<ChannelState, { commitments: Commitments }>;

/** hasCommitments tells whether a state carries live commitments. */
export function hasCommitments(s: ChannelState): s is FundedState {
  return 'commitments' in s && s.commitments !== null && s.name !== 'Errored';
}
