/**
 * JSON views of the node's objects for the RPC, with Core Lightning's field names.
 */
import { toHex } from '../lib/bytes.ts';
import { formatScid } from '../lib/units.ts';
import { currentView, type ChannelState } from '../channel/index.ts';
import { channelIdOf, commitmentsOf, type ChannelHandle, type ChannelManager } from '../node/channels.ts';

/** channelView renders a channel as Core Lightning's listpeerchannels does. */
export function channelView(channels: ChannelManager, ch: ChannelHandle): Record<string, unknown> {
  const s = ch.state;
  const c = commitmentsOf(s);
  const out: Record<string, unknown> = { peer_id: ch.peerId, peer_connected: !!channels.peerOf(ch), state: stateName(s), channel_id: toHex(channelIdOf(s)) };
  if (!c) return out;
  const view = currentView(c, 'local');
  const total = c.params.fundingAmount * 1000n;
  const reserve = c.params.remote.channelReserve * 1000n;
  const theirReserve = c.params.local.channelReserve * 1000n;
  const inFlight = view.htlcs.filter((h) => h.direction === 'offered').reduce((a, h) => a + h.amount, 0n);
  const toUs = view.spec.toLocal;
  // What one HTLC can carry now, by the channel's own checks (zero once it is closing).
  const { spendable, receivable } = channels.htlcCapacity(ch);
  Object.assign(out, {
    short_channel_id: 'shortChannelId' in s && s.shortChannelId ? formatScid(s.shortChannelId) : undefined,
    funding_txid: toHex(Uint8Array.from(c.params.funding.txid).reverse()),
    funding_outnum: c.params.funding.vout,
    opener: c.params.localIsFunder ? 'local' : 'remote',
    channel_type: { names: [c.params.type === 'anchors' ? 'anchors_zero_fee_htlc_tx' : 'static_remotekey'] },
    capacity_sat: c.params.fundingAmount,
    total_msat: total,
    to_us_msat: toUs,
    spendable_msat: spendable,
    receivable_msat: receivable,
    our_reserve_msat: reserve,
    their_reserve_msat: theirReserve,
    in_flight_msat: inFlight,
    feerate: { perkw: view.spec.feeratePerKw },
    htlcs: c.htlcs.map((h) => ({ direction: h.direction === 'offered' ? 'out' : 'in', id: h.id, amount_msat: h.amount, expiry: h.cltvExpiry, payment_hash: toHex(h.paymentHash), state: h.state })),
  });
  return out;
}

/** stateName maps machine states to Core Lightning's state names where they exist. */
function stateName(s: ChannelState): string {
  switch (s.name) {
    case 'AwaitingAcceptChannel':
    case 'AwaitingFundingTx':
    case 'AwaitingFundingCreated':
    case 'AwaitingFundingSigned':
    case 'AwaitingFundingConfirmed':
    case 'AwaitingChannelReady':
      return 'CHANNELD_AWAITING_LOCKIN';
    case 'Normal':
      return 'CHANNELD_NORMAL';
    case 'ShuttingDown':
      return 'CHANNELD_SHUTTING_DOWN';
    case 'Negotiating':
      return 'CLOSINGD_SIGEXCHANGE';
    case 'Closing':
      return 'CLOSINGD_COMPLETE';
    case 'Closed':
      return 'CLOSED';
    default:
      return String((s as { name: string }).name).toUpperCase();
  }
}

