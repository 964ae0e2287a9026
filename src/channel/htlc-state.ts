/**
 * HTLC states named after protocol steps (as Core Lightning's htlc_state). An HTLC we offer
 * walks SENT_ADD_HTLC → SENT_ADD_COMMIT → RCVD_ADD_REVOCATION → RCVD_ADD_ACK_COMMIT →
 * SENT_ADD_ACK_REVOCATION, then the peer's removal RCVD_REMOVE_HTLC → RCVD_REMOVE_COMMIT →
 * SENT_REMOVE_REVOCATION → SENT_REMOVE_ACK_COMMIT → RCVD_REMOVE_ACK_REVOCATION (gone). An
 * HTLC we receive walks the mirror image (RCVD_ADD_* then SENT_REMOVE_*). An `update_fee`
 * reuses the ADD half of the walk for whoever sent it.
 *
 * BOLT #2 "Normal Operation": "each update traverses through the following states: 1.
 * pending on the receiver 2. in the receiver's latest commitment transaction 3. ... and the
 * receiver's previous commitment transaction has been revoked, and the update is pending on
 * the sender 4. ... and in the sender's latest commitment transaction 5. ... and the sender's
 * previous commitment transaction has been revoked".
 */

/** Every HTLC (and fee update) state. */
export type HtlcState =
  // Offered by us.
  | 'SENT_ADD_HTLC'
  | 'SENT_ADD_COMMIT'
  | 'RCVD_ADD_REVOCATION'
  | 'RCVD_ADD_ACK_COMMIT'
  | 'SENT_ADD_ACK_REVOCATION'
  | 'RCVD_REMOVE_HTLC'
  | 'RCVD_REMOVE_COMMIT'
  | 'SENT_REMOVE_REVOCATION'
  | 'SENT_REMOVE_ACK_COMMIT'
  | 'RCVD_REMOVE_ACK_REVOCATION'
  // Offered by the peer.
  | 'RCVD_ADD_HTLC'
  | 'RCVD_ADD_COMMIT'
  | 'SENT_ADD_REVOCATION'
  | 'SENT_ADD_ACK_COMMIT'
  | 'RCVD_ADD_ACK_REVOCATION'
  | 'SENT_REMOVE_HTLC'
  | 'SENT_REMOVE_COMMIT'
  | 'RCVD_REMOVE_REVOCATION'
  | 'RCVD_REMOVE_ACK_COMMIT'
  | 'SENT_REMOVE_ACK_REVOCATION';

/** The final states: the HTLC (or fee update) is gone from both commitments, irrevocably. */
export const FINAL_STATES: ReadonlySet<HtlcState> = new Set(['RCVD_REMOVE_ACK_REVOCATION', 'SENT_REMOVE_ACK_REVOCATION']);

const IN_LOCAL: ReadonlySet<HtlcState> = new Set<HtlcState>([
  'RCVD_ADD_ACK_COMMIT',
  'SENT_ADD_ACK_REVOCATION',
  'RCVD_REMOVE_HTLC',
  'RCVD_ADD_COMMIT',
  'SENT_ADD_REVOCATION',
  'SENT_ADD_ACK_COMMIT',
  'RCVD_ADD_ACK_REVOCATION',
  'SENT_REMOVE_HTLC',
  'SENT_REMOVE_COMMIT',
  'RCVD_REMOVE_REVOCATION',
]);

const IN_REMOTE: ReadonlySet<HtlcState> = new Set<HtlcState>([
  'SENT_ADD_COMMIT',
  'RCVD_ADD_REVOCATION',
  'RCVD_ADD_ACK_COMMIT',
  'SENT_ADD_ACK_REVOCATION',
  'RCVD_REMOVE_HTLC',
  'RCVD_REMOVE_COMMIT',
  'SENT_REMOVE_REVOCATION',
  'SENT_ADD_ACK_COMMIT',
  'RCVD_ADD_ACK_REVOCATION',
  'SENT_REMOVE_HTLC',
]);

/** inLocalCommitment: whether an HTLC in this state is in our current commitment. */
export function inLocalCommitment(s: HtlcState): boolean {
  return IN_LOCAL.has(s);
}

/** inRemoteCommitment: whether an HTLC in this state is in the peer's current commitment. */
export function inRemoteCommitment(s: HtlcState): boolean {
  return IN_REMOTE.has(s);
}

/** A state transition caused by one protocol step; states it does not mention stay. */
export type Transition = (s: HtlcState) => HtlcState;

/** onSendCommit: we send `commitment_signed` (flips only peer-commitment membership). */
export const onSendCommit: Transition = (s) => {
  switch (s) {
    case 'SENT_ADD_HTLC': return 'SENT_ADD_COMMIT';
    case 'SENT_REMOVE_REVOCATION': return 'SENT_REMOVE_ACK_COMMIT';
    case 'SENT_ADD_REVOCATION': return 'SENT_ADD_ACK_COMMIT';
    case 'SENT_REMOVE_HTLC': return 'SENT_REMOVE_COMMIT';
    default: return s;
  }
};

/** onRecvRevoke: we receive `revoke_and_ack`. */
export const onRecvRevoke: Transition = (s) => {
  switch (s) {
    case 'SENT_ADD_COMMIT': return 'RCVD_ADD_REVOCATION';
    case 'SENT_REMOVE_ACK_COMMIT': return 'RCVD_REMOVE_ACK_REVOCATION';
    case 'SENT_ADD_ACK_COMMIT': return 'RCVD_ADD_ACK_REVOCATION';
    case 'SENT_REMOVE_COMMIT': return 'RCVD_REMOVE_REVOCATION';
    default: return s;
  }
};

/** onRecvCommit: we receive `commitment_signed` (flips only our-commitment membership). */
export const onRecvCommit: Transition = (s) => {
  switch (s) {
    case 'RCVD_ADD_HTLC': return 'RCVD_ADD_COMMIT';
    case 'RCVD_REMOVE_HTLC': return 'RCVD_REMOVE_COMMIT';
    case 'RCVD_ADD_REVOCATION': return 'RCVD_ADD_ACK_COMMIT';
    case 'RCVD_REMOVE_REVOCATION': return 'RCVD_REMOVE_ACK_COMMIT';
    default: return s;
  }
};

/** onSendRevoke: we send `revoke_and_ack`. */
export const onSendRevoke: Transition = (s) => {
  switch (s) {
    case 'RCVD_ADD_COMMIT': return 'SENT_ADD_REVOCATION';
    case 'RCVD_REMOVE_COMMIT': return 'SENT_REMOVE_REVOCATION';
    case 'RCVD_ADD_ACK_COMMIT': return 'SENT_ADD_ACK_REVOCATION';
    case 'RCVD_REMOVE_ACK_COMMIT': return 'SENT_REMOVE_ACK_REVOCATION';
    default: return s;
  }
};

/** For a fee update, the state in which it is fully applied to both commitments. */
export function feeUpdateDone(s: HtlcState): boolean {
  return s === 'SENT_ADD_ACK_REVOCATION' || s === 'RCVD_ADD_ACK_REVOCATION';
}
