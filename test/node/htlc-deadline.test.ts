/**
 * BOLT #2 HTLC deadlines that make the node force-close by itself: an offered HTLC still on
 * the channel one block after its cltv_expiry, and a received HTLC we fulfilled that the peer
 * has not accepted 7 blocks before its cltv_expiry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { htlcDeadlinePassed } from '../../src/node/channels.ts';
import { flush, openPair, preimageFor } from '../channel/machine-harness.ts';

const ONION = new Uint8Array(1366);

test('offered HTLC past cltv_expiry + 1, and fulfilled HTLC at cltv_expiry - 7', () => {
  const { a, b } = openPair({ push: msat(100_000_000n) });
  a.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(2_000_000n), paymentHash: sha256(preimageFor(1)), cltvExpiry: 800_200, onion: ONION } });
  a.step({ kind: 'command', command: { kind: 'sign' } });
  flush(a, b);
  assert.equal(htlcDeadlinePassed(a.c, 800_200), null, 'at cltv_expiry the offerer still waits');
  assert.match(htlcDeadlinePassed(a.c, 800_201)!, /offered HTLC 0 expired/);
  assert.equal(htlcDeadlinePassed(b.c, 800_201), null, 'the receiver has not fulfilled: nothing to claim');
  // The receiver fulfills; until the peer accepts it, the fulfillment deadline applies.
  b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } });
  assert.equal(htlcDeadlinePassed(b.c, 800_192), null);
  assert.match(htlcDeadlinePassed(b.c, 800_193)!, /fulfilled HTLC 0/);
  b.step({ kind: 'command', command: { kind: 'sign' } });
  flush(a, b);
  assert.equal(htlcDeadlinePassed(b.c, 800_300), null, 'once removed, no deadline');
  assert.equal(htlcDeadlinePassed(a.c, 800_300), null);
});
