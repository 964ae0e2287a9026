/**
 * What the channel machine is given (env, events) and what it asks for (effects). The
 * machine is sans-I/O: randomness, the block height, feerates, our limits and the channel's
 * Signer come in through `ChannelEnv`; everything it wants done goes out as `Effect` data
 * that the node executes in order (DESIGN.md "State machines").
 */
import type { Msat, Sat, ShortChannelId } from '../lib/index.ts';
import type { Tx, TxOut } from '../bitcoin/index.ts';
import type { ChannelSigner } from '../keys/index.ts';
import type { ChannelMessage, ErrorMessage } from '../wire/index.ts';
import type { ChannelState, HtlcRemoval } from './state.ts';

/** Our channel policy: the limits we announce and the ones we accept from the peer. */
export interface ChannelConfig {
  dustLimit: Sat;
  maxHtlcValueInFlight: Msat;
  /** Reserve we require from the peer, in parts per million of the funding (10000 = 1%). */
  channelReservePpm: number;
  htlcMinimum: Msat;
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  /** The depth we ask for as fundee. */
  minimumDepth: number;
  /** Largest `to_self_delay` we accept from the peer ("unreasonably large"). */
  maxToSelfDelay: number;
  /** Largest `minimum_depth` we accept as funder. */
  maxMinimumDepth: number;
  minFundingSat: Sat;
  /** Whether both nodes negotiated option_support_large_channel. */
  largeChannels: boolean;
  /** Largest `htlc_minimum_msat` we accept. */
  maxHtlcMinimum: Msat;
  /** Smallest `max_accepted_htlcs` we accept. */
  minMaxAcceptedHtlcs: number;
  /** Largest `channel_reserve_satoshis` we accept, in ppm of the funding. */
  maxChannelReservePpm: number;
  /** Largest `dust_limit_satoshis` we accept from the peer. */
  maxDustLimit: Sat;
  /** Our `max_dust_htlc_exposure_msat`. */
  maxDustExposure: Msat;
  /** Whether we accept a static_remotekey-only channel type. */
  acceptStaticRemotekey: boolean;
  /** Whether option_shutdown_anysegwit was negotiated. */
  anySegwit: boolean;
  /** Whether option_simple_close was negotiated (closing_complete / closing_sig, OP_RETURN scripts). */
  simpleClose?: boolean;
  /** Whether option_upfront_shutdown_script was negotiated by both. */
  upfrontShutdown: boolean;
  /** Our shutdown script (sent upfront if upfrontShutdown). */
  shutdownScript: Uint8Array;
  /**
   * The closing fee range (sat) we offer as the funder: what we are prepared to pay. As the
   * non-funder we do not pay the fee, so by default we accept from a relay floor up to all the
   * funder could pay (BOLT #2), unless `closingFeeRangeForced` says the operator asked for
   * this range for this close.
   */
  closingFeeRange: { min: Sat; max: Sat };
  /** The operator gave `closingFeeRange` for this close: apply it whatever our role. */
  closingFeeRangeForced?: boolean;
  /**
   * Developer (to stage Core Lightning's order in tests): as funder, start closing_signed
   * once no HTLC remains and we owe no signature, even while a fee update is not yet in
   * both commitments.
   */
  devEarlyClosingSigned?: boolean;
}

/** Feerates (sat per 1000 weight) as the node's estimator sees them now. */
export interface Feerates {
  /** For new commitments and update_fee. */
  commitment: number;
  /** Peer feerates outside [min, max] are rejected ("too small ... or unreasonably large"). */
  min: number;
  max: number;
  /** For the closing transaction. */
  closing: number;
}

/** The environment of one step. */
export interface ChannelEnv {
  chainHash: Uint8Array;
  config: ChannelConfig;
  feerates: Feerates;
  blockHeight: number;
  /** Injected randomness (temporary channel ids, aliases). */
  randomBytes(n: number): Uint8Array;
  /** The channel's signer (rebuilt by the node from the channel key index). */
  signer: ChannelSigner;
}

/** Local commands. */
export type Command =
  | {
      kind: 'open';
      temporaryChannelId: Uint8Array;
      fundingAmount: Sat;
      pushAmount: Msat;
      channelKeyIndex: bigint;
      announce: boolean;
      /** Offer anchors (default) or static_remotekey only. */
      anchors: boolean;
    }
  | { kind: 'add_htlc'; amount: Msat; paymentHash: Uint8Array; cltvExpiry: number; onion: Uint8Array }
  | { kind: 'fulfill_htlc'; id: bigint; preimage: Uint8Array }
  | { kind: 'fail_htlc'; id: bigint; reason: Uint8Array }
  | { kind: 'fail_malformed_htlc'; id: bigint; sha256OfOnion: Uint8Array; failureCode: number }
  | { kind: 'update_fee'; feeratePerKw: number }
  | { kind: 'sign' }
  | { kind: 'shutdown'; scriptPubkey?: Uint8Array }
  /** Publish our latest commitment now (unilateral close), whatever the peer does. */
  | { kind: 'force_close' };

/** Events the machine reacts to. */
export type ChannelEvent =
  | { kind: 'message'; message: ChannelMessage }
  | { kind: 'command'; command: Command }
  /** The fundee's side: an open_channel arrived for a new channel. */
  | { kind: 'funding_tx_built'; tx: Tx; outputIndex: number }
  | { kind: 'funding_tx_failed'; reason: string }
  /** The funding transaction is `depth` deep; `output` is what the chain shows at the funding outpoint. */
  | { kind: 'funding_confirmed'; depth: number; shortChannelId: ShortChannelId; output: TxOut | null }
  | { kind: 'disconnected' }
  | { kind: 'reconnected' }
  /** The funding output was spent by a confirmed transaction (`mutual`: a closing transaction). */
  | { kind: 'funding_spent'; mutual: boolean }
  /** A new block: `env.blockHeight` is its height (timeouts counted in blocks). */
  | { kind: 'block' };

/** Effects the node executes, in order. */
export type Effect =
  | { kind: 'send_message'; message: ChannelMessage }
  /** The whole new state record; always emitted before any send_message that relies on it. */
  | { kind: 'persist'; state: ChannelState }
  | { kind: 'broadcast'; tx: Tx; label: 'funding' | 'commitment' | 'closing' }
  | { kind: 'watch_spend'; txid: Uint8Array; vout: number }
  | { kind: 'watch_confirmations'; txid: Uint8Array; depth: number; script: Uint8Array }
  /** Ask the wallet to build (not broadcast) a funding transaction paying `script` `amount` sats. */
  | { kind: 'build_funding_tx'; script: Uint8Array; amount: Sat; feeratePerKw: number }
  /** The channel failed; `error` has already been queued as a send_message before this. */
  | { kind: 'fail_channel'; error: ErrorMessage; broadcastCommitment: boolean }
  /** A received HTLC is irrevocably committed: the payments layer may fulfil or fail it. */
  | {
      kind: 'htlc_received';
      id: bigint;
      amount: Msat;
      paymentHash: Uint8Array;
      cltvExpiry: number;
      onion: Uint8Array;
      /** BOLT #2: "SHOULD fail this HTLC once it's committed" (dust exposure over our limit). */
      mustFail: boolean;
    }
  /** One of our offered HTLCs was fulfilled (the preimage is known as soon as the peer sends it). */
  | { kind: 'htlc_settled'; id: bigint; paymentHash: Uint8Array; preimage: Uint8Array }
  /** One of our offered HTLCs failed and is irrevocably removed. */
  | { kind: 'htlc_failed'; id: bigint; paymentHash: Uint8Array; removal: HtlcRemoval }
  /** A command was refused; the state did not change. */
  | { kind: 'command_rejected'; command: Command['kind']; reason: string }
  | { kind: 'channel_ready'; shortChannelId: ShortChannelId }
  /** Close the connection (not the channel), e.g. BOLT #2 "MUST fail the connection". */
  | { kind: 'disconnect'; reason: string }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn'; message: string };

/** The result of one step. */
export interface StepResult {
  state: ChannelState;
  effects: Effect[];
}
