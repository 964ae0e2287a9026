/**
 * What one HTLC can carry over a channel right now, in each direction: `spendable_msat` (we
 * offer) and `receivable_msat` (the peer offers), as listpeerchannels reports them and as
 * pathfinding takes our own channels. They are found with the very checks an add goes
 * through (`addHtlc` for ours, `receiveAddHtlc` for the peer's), so paying exactly the figure
 * passes them and one msat more does not: the reserve, the commitment fee with one more HTLC
 * output at the current feerate, the funder's fee spike buffer, the anchors, dust limits and
 * dust exposure, max_htlc_value_in_flight_msat, max_accepted_htlcs and htlc_minimum_msat.
 *
 * Those checks are monotone in the amount except where an HTLC stops being trimmed on a
 * commitment (a dust HTLC adds no output, so it costs less fee than one just above the
 * threshold): the search runs separately between consecutive trim thresholds.
 */
import { msat, type Msat } from '../lib/index.ts';
import { isHtlcTrimmed } from './commitment-fees.ts';
import { onRecvCommit } from './htlc-state.ts';
import { checkFunderAffords } from './limits.ts';
import { projectView } from './updates.ts';
import { addHtlc, receiveAddHtlc } from './updates-protocol.ts';
import type { ChannelEnv } from './channel-env.ts';
import type { Commitments } from './state.ts';

const HASH = new Uint8Array(32);
const ONION = new Uint8Array(1366);

/** canSend tells whether we could offer an HTLC of `amount` now. */
export function canSend(c: Commitments, amount: bigint, env: ChannelEnv): boolean {
  if (amount <= 0n) return false;
  const r = addHtlc(c, { kind: 'add_htlc', amount: msat(amount), paymentHash: HASH, cltvExpiry: env.blockHeight + 144, onion: ONION }, env);
  return r.ok;
}

/** canReceive tells whether the peer could offer us an HTLC of `amount` now (and keep the fee spike buffer if it is the funder). */
export function canReceive(c: Commitments, amount: bigint, env: ChannelEnv): boolean {
  if (amount <= 0n) return false;
  const r = receiveAddHtlc(
    c,
    { type: 'update_add_htlc', channel_id: c.params.channelId, id: c.nextRemoteHtlcId, amount_msat: msat(amount), payment_hash: HASH, cltv_expiry: env.blockHeight + 144, onion_routing_packet: ONION, tlvs: {} },
    env,
  );
  if (!r.ok) return false;
  // A received HTLC over our dust exposure limit would be failed back at once.
  if (r.c.htlcs.some((h) => h.direction === 'received' && h.id === c.nextRemoteHtlcId && h.overDustExposure)) return false;
  if (!c.params.localIsFunder) {
    // The funder keeps a fee spike buffer of twice the feerate on the commitment receiving the HTLC (BOLT #2 recommends it, Kite and Core Lightning keep it).
    const view = projectView(r.c, 'local', onRecvCommit);
    if (checkFunderAffords(view, 'local', r.c, 2 * view.spec.feeratePerKw, 1) !== null) return false;
  }
  return true;
}

/** spendableMsat is the largest HTLC we can offer right now (0 when none). */
export function spendableMsat(c: Commitments, env: ChannelEnv): Msat {
  return msat(largest(c, (a) => canSend(c, a, env), c.params.remote.htlcMinimum));
}

/** receivableMsat is the largest HTLC the peer can offer us right now (0 when none). */
export function receivableMsat(c: Commitments, env: ChannelEnv): Msat {
  return msat(largest(c, (a) => canReceive(c, a, env), c.params.local.htlcMinimum));
}

/** The amounts where an HTLC stops being trimmed on some commitment, at the feerates that matter. */
function trimThresholds(c: Commitments): bigint[] {
  const cap = c.params.fundingAmount * 1000n;
  const out = new Set<bigint>();
  const feerates = new Set<number>();
  for (const f of [c.localCommit.spec.feeratePerKw, c.remoteCommit.spec.feeratePerKw, ...c.fees.map((x) => x.feeratePerKw)]) {
    feerates.add(f);
    feerates.add(2 * f);
  }
  for (const dust of [c.params.local.dustLimit, c.params.remote.dustLimit]) {
    for (const dir of ['offered', 'received'] as const) {
      for (const f of feerates) {
        // The smallest amount that is not trimmed: a binary search over [1, capacity].
        let lo = 1n;
        let hi = cap + 1n;
        while (lo < hi) {
          const mid = (lo + hi) / 2n;
          if (isHtlcTrimmed(dir, msat(mid), f, dust, c.params.type)) lo = mid + 1n;
          else hi = mid;
        }
        if (lo > 1n && lo <= cap) out.add(lo);
      }
    }
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * largest finds the largest amount in [1, capacity] that `ok` accepts, given that `ok` is
 * monotone (true up to a point, then false) from the receiver's htlc_minimum_msat `min` on,
 * within each interval between trim thresholds.
 */
function largest(c: Commitments, ok: (amount: bigint) => boolean, min: bigint): bigint {
  const cap = c.params.fundingAmount * 1000n;
  const bounds = [1n, ...trimThresholds(c), cap + 1n];
  let best = 0n;
  for (let i = bounds.length - 2; i >= 0; i--) {
    const from = bounds[i]!;
    const to = bounds[i + 1]! - 1n;
    if (to < from || to <= best) continue;
    // The interval's lowest acceptable amount (htlc_minimum_msat may cut its start).
    let start = from;
    if (!ok(start)) {
      // Acceptance may begin inside the interval, at the receiver's htlc_minimum_msat.
      if (min > from && min <= to && ok(min)) start = min;
      else continue;
    }
    let lo = start;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      if (ok(mid)) lo = mid;
      else hi = mid - 1n;
    }
    if (lo > best) best = lo;
  }
  return best;
}
