/**
 * PaymentsManager: the node's payments over its channels. Sending pays a BOLT 11 invoice of
 * a direct peer (a one-hop onion); receiving peels each committed HTLC's onion, checks the
 * final hop against the invoice book, and settles or fails it with the BOLT 4 failure.
 * Payment records live in SQLite and survive restarts.
 */
import { toHex } from '../lib/bytes.ts';
import { KiteError } from '../lib/errors.ts';
import type { Msat } from '../lib/units.ts';
import { randomBytes, isPrivateKey } from '../crypto/index.ts';
import { decodeInvoice, type Invoice } from '../invoice/index.ts';
import {
  createErrorPacket,
  createOnion,
  decryptErrorPacket,
  encodeHopPayload,
  processIncomingOnion,
  MemoryReplayStore,
  type FailureMessage,
} from '../onion/index.ts';
import { checkFinalHtlc, expireHeldSets, type FinalHtlc, type InvoiceBook } from '../payments/index.ts';
import type { Db } from '../store/sqlite/index.ts';
import type { ChannelHandle, ChannelListener, ChannelManager } from './channels.ts';
import type { Logger } from './log.ts';
import { ErrorCodes } from '../lib/error-codes.ts';

type Effect<K extends string> = Parameters<ChannelListener[K extends 'received' ? 'htlcReceived' : K extends 'settled' ? 'htlcSettled' : 'htlcFailed']>[1];

interface Outgoing {
  paymentHash: string;
  sharedSecrets: Uint8Array[];
  resolve: (v: Record<string, unknown>) => void;
}

export interface PaymentRow {
  payment_hash: string;
  bolt11: string | null;
  destination: string;
  amount_msat: number;
  amount_sent_msat: number;
  status: 'pending' | 'complete' | 'failed';
  preimage: string | null;
  failure: string | null;
  created_at: number;
  completed_at: number | null;
}

export class PaymentsManager implements ChannelListener {
  private outgoing = new Map<string, Outgoing>();
  private held = new Map<string, FinalHtlc[]>();
  private heldChannel = new Map<string, ChannelHandle>();
  private heldSecret = new Map<string, Uint8Array>();
  private replay = new MemoryReplayStore();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly o: {
      db: Db;
      channels: ChannelManager;
      invoices: InvoiceBook;
      nodeSecret: Uint8Array;
      network: string;
      height: () => number;
      log: Logger;
    },
  ) {
    this.timer = setInterval(() => this.expireHeld(), 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** pay sends a payment for an invoice to a direct peer and waits for its outcome. */
  async pay(bolt11: string, amountMsat?: Msat, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    let inv: Invoice;
    try {
      inv = decodeInvoice(bolt11);
    } catch (e) {
      throw new KiteError(ErrorCodes.INVALID_PARAMS, `invalid parameter 'bolt11': ${(e as Error).message}`);
    }
    if (inv.network !== this.o.network) throw new KiteError(ErrorCodes.INVALID_PARAMS, `invalid parameter 'bolt11': invoice is for ${inv.network}, this node runs ${this.o.network}`);
    if (this.now() > inv.timestamp + inv.expirySeconds) throw new KiteError(ErrorCodes.PAY_INVOICE_EXPIRED, 'invoice expired');
    const amount = (inv.amountMsat ?? amountMsat) as Msat | undefined;
    if (amount === undefined) throw new KiteError(ErrorCodes.INVALID_PARAMS, "invalid parameter 'amount_msat': the invoice has no amount, give one");
    if (inv.amountMsat !== undefined && amountMsat !== undefined && amountMsat !== inv.amountMsat) {
      throw new KiteError(ErrorCodes.INVALID_PARAMS, "invalid parameter 'amount_msat': the invoice already names an amount");
    }
    const hash = toHex(inv.paymentHash);
    const prev = this.o.db.prepare('SELECT * FROM payments WHERE payment_hash = ?').get(hash) as PaymentRow | undefined;
    if (prev?.status === 'complete') return paymentJson(prev);
    if (prev?.status === 'pending' || this.outgoing.has(hash)) throw new KiteError(ErrorCodes.PAY_IN_PROGRESS, 'a payment for this invoice is already in progress');
    const payee = toHex(inv.payee);
    const ch = this.o.channels.channels.find((c) => c.peerId === payee && c.state.name === 'Normal');
    if (!ch) throw new KiteError(ErrorCodes.PAY_ROUTE_NOT_FOUND, `no usable channel to ${payee}: Kite pays only direct peers until routing lands`);
    const cltv = this.o.height() + inv.minFinalCltvExpiryDelta + 3;
    const payload = encodeHopPayload({ amtToForward: amount, outgoingCltvValue: cltv, paymentData: { paymentSecret: inv.paymentSecret!, totalMsat: amount } });
    let sessionKey: Uint8Array;
    do sessionKey = randomBytes(32);
    while (!isPrivateKey(sessionKey));
    const onion = createOnion({ sessionKey, hops: [{ pubkey: inv.payee, payload }], associatedData: inv.paymentHash });
    // The payment record is committed with the channel state that holds its HTLC, before the
    // commitment_signed that makes the HTLC spendable by the peer.
    const record = (status: 'pending' | 'failed', failure: string | null): void => {
      this.o.db
        .prepare(
          `INSERT INTO payments (payment_hash, bolt11, destination, amount_msat, amount_sent_msat, status, failure, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (payment_hash) DO UPDATE SET status = excluded.status, failure = excluded.failure, created_at = excluded.created_at`,
        )
        .run(hash, bolt11, payee, amount, amount, status, failure, this.now());
    };
    const done = new Promise<Record<string, unknown>>((resolve) => this.outgoing.set(hash, { paymentHash: hash, sharedSecrets: onion.sharedSecrets, resolve }));
    // Only this command's refusal fails this payment: another payment's refusal is not ours.
    const why = await this.o.channels.tryCommand(ch, { kind: 'add_htlc', amount, paymentHash: inv.paymentHash, cltvExpiry: cltv, onion: onion.packet }, () => record('pending', null));
    if (why !== null) {
      // A refused HTLC was never offered, so no pending record was written: record the failure.
      if (this.get(hash).status === undefined) record('failed', why);
      this.finish(hash, 'failed', null, why);
      throw new KiteError(ErrorCodes.PAY_STOPPED_RETRYING, `payment failed: ${why}`);
    }
    const timeout = new Promise<Record<string, unknown>>((resolve) => setTimeout(() => resolve({ ...this.get(hash), status: 'pending' }), timeoutMs).unref());
    return await Promise.race([done, timeout]);
  }

  private get(hash: string): Record<string, unknown> {
    const r = this.o.db.prepare('SELECT * FROM payments WHERE payment_hash = ?').get(hash) as PaymentRow | undefined;
    return r ? paymentJson(r) : {};
  }

  /** list renders the payment records (listpays). */
  list(bolt11?: string): Record<string, unknown>[] {
    const rows = (bolt11 ? this.o.db.prepare('SELECT * FROM payments WHERE bolt11 = ? ORDER BY created_at').all(bolt11) : this.o.db.prepare('SELECT * FROM payments ORDER BY created_at').all()) as PaymentRow[];
    return rows.map(paymentJson);
  }

  private finish(hash: string, status: 'complete' | 'failed', preimage: Uint8Array | null, failure: string | null): void {
    this.o.db
      .prepare(`UPDATE payments SET status = ?, preimage = ?, failure = ?, completed_at = ? WHERE payment_hash = ? AND status = 'pending'`)
      .run(status, preimage ? toHex(preimage) : null, failure, this.now(), hash);
    const out = this.outgoing.get(hash);
    if (out) {
      this.outgoing.delete(hash);
      out.resolve(this.get(hash));
    }
  }

  htlcSettled(_ch: ChannelHandle, e: Effect<'settled'>): void {
    this.o.log.info('payment succeeded', { payment_hash: toHex(e.paymentHash) });
    this.finish(toHex(e.paymentHash), 'complete', e.preimage, null);
  }

  htlcFailed(_ch: ChannelHandle, e: Effect<'failed'>): void {
    const hash = toHex(e.paymentHash);
    const out = this.outgoing.get(hash);
    let why = 'failed';
    if (e.removal.kind === 'fail' && out) {
      const d = decryptErrorPacket(out.sharedSecrets, e.removal.reason);
      why = d?.failure ? `${d.failure.name} at hop ${d.hopIndex}` : 'unreadable failure';
    } else if (e.removal.kind === 'fail_malformed') why = `malformed onion (code ${e.removal.failureCode})`;
    this.o.log.info('payment failed', { payment_hash: hash, why });
    this.finish(hash, 'failed', null, why);
  }

  /**
   * Developer (dev-hold-htlcs): paid HTLCs are marked paid but their fulfill is held back, so
   * tests can keep settled-by-us HTLCs on the commitments (e.g. to resolve them on chain).
   */
  private holdFulfills = false;
  private deferred: { h: FinalHtlc; preimage: Uint8Array }[] = [];

  /** setHoldFulfills holds (or releases, sending every held fulfill) incoming payments' fulfills. */
  setHoldFulfills(hold: boolean): number {
    this.holdFulfills = hold;
    if (hold) return this.deferred.length;
    const out = this.deferred.splice(0);
    for (const d of out) this.answer(d.h, { kind: 'fulfill', preimage: d.preimage });
    return out.length;
  }

  /** htlcResolvedOnChain: an HTLC of ours ended on chain (the peer revealed the preimage, or it timed out). */
  htlcResolvedOnChain(_ch: ChannelHandle, paymentHash: Uint8Array, outcome: { preimage: Uint8Array } | { failed: string }): void {
    const hash = toHex(paymentHash);
    if ('preimage' in outcome) {
      this.o.log.info('payment succeeded on chain', { payment_hash: hash });
      this.finish(hash, 'complete', outcome.preimage, null);
    } else {
      this.o.log.info('payment failed on chain', { payment_hash: hash, why: outcome.failed });
      this.finish(hash, 'failed', null, `on chain: ${outcome.failed}`);
    }
  }

  htlcReceived(ch: ChannelHandle, e: Effect<'received'>): void {
    const act = processIncomingOnion({ onionRoutingPacket: e.onion, paymentHash: e.paymentHash, amountMsat: e.amount, cltvExpiry: e.cltvExpiry }, this.o.nodeSecret, { replay: this.replay });
    const fail = (ss: Uint8Array, f: FailureMessage): void => void this.o.channels.command(ch, { kind: 'fail_htlc', id: e.id, reason: createErrorPacket(ss, f) });
    switch (act.kind) {
      case 'fail-malformed':
        void this.o.channels.command(ch, { kind: 'fail_malformed_htlc', id: e.id, sha256OfOnion: act.sha256OfOnion, failureCode: act.failureCode });
        return;
      case 'fail':
        return fail(act.sharedSecret, act.failure);
      case 'replay':
        return fail(act.sharedSecret, { name: 'temporary_node_failure' } as FailureMessage);
      case 'forward':
        // Forwarding comes with routing; until then the next peer is unknown to us.
        return fail(act.sharedSecret, { name: 'unknown_next_peer' } as FailureMessage);
      case 'receive': {
        const h: FinalHtlc = {
          key: `${ch.dbid}:${e.id}`,
          paymentHash: e.paymentHash,
          amountMsat: e.amount,
          cltvExpiry: e.cltvExpiry,
          amtToForward: act.amtToForward,
          outgoingCltvValue: act.outgoingCltvValue,
          paymentSecret: act.paymentSecret,
          totalMsat: act.totalMsat,
          arrivedAt: this.now(),
        };
        const hash = toHex(e.paymentHash);
        this.heldChannel.set(h.key, ch);
        this.heldSecret.set(h.key, act.sharedSecret);
        const invoice = this.o.invoices.byHash(e.paymentHash);
        if (invoice?.status === 'paid' && this.o.invoices.paidBy(e.paymentHash, h.key)) {
          // Delivered again after a restart: this HTLC already paid the invoice, but the
          // fulfill was not yet committed in the channel. Settle it as before.
          this.o.log.info('payment htlc redelivered after restart; fulfilling again', { payment_hash: hash });
          this.answer(h, { kind: 'fulfill', preimage: invoice.preimage });
          return;
        }
        const set = this.held.get(hash) ?? [];
        const d = e.mustFail
          ? ({ action: 'fail', htlcs: [h], failure: { name: 'temporary_channel_failure' } } as const)
          : checkFinalHtlc(h, invoice, set, this.o.height(), this.now());
        if (d.action === 'hold') {
          this.held.set(hash, [...set, h]);
          return;
        }
        if (d.action === 'settle') {
          this.held.delete(hash);
          // The invoice is marked paid (durably) before the preimage is revealed.
          this.o.invoices.markPaid(e.paymentHash, d.amountMsat, d.htlcs.map((x) => x.key));
          if (this.holdFulfills) this.deferred.push(...d.htlcs.map((x) => ({ h: x, preimage: d.preimage })));
          else for (const x of d.htlcs) this.answer(x, { kind: 'fulfill', preimage: d.preimage });
          this.o.log.info('payment received', { payment_hash: hash, amount_msat: d.amountMsat });
          return;
        }
        for (const x of d.htlcs) this.answer(x, { kind: 'fail', failure: d.failure as FailureMessage });
        return;
      }
    }
  }

  private answer(h: FinalHtlc, how: { kind: 'fulfill'; preimage: Uint8Array } | { kind: 'fail'; failure: FailureMessage }): void {
    const ch = this.heldChannel.get(h.key);
    const ss = this.heldSecret.get(h.key);
    this.heldChannel.delete(h.key);
    this.heldSecret.delete(h.key);
    if (!ch || !ss) return;
    const id = BigInt(h.key.split(':')[1]);
    if (how.kind === 'fulfill') void this.o.channels.command(ch, { kind: 'fulfill_htlc', id, preimage: how.preimage });
    else void this.o.channels.command(ch, { kind: 'fail_htlc', id, reason: createErrorPacket(ss, how.failure) });
  }

  private expireHeld(): void {
    for (const d of expireHeldSets(this.held, this.now())) {
      if (d.action !== 'fail') continue;
      for (const h of d.htlcs) this.answer(h, { kind: 'fail', failure: d.failure as FailureMessage });
    }
  }
}

/** paymentJson renders a payment as Core Lightning's pay/listpays do. */
export function paymentJson(r: PaymentRow): Record<string, unknown> {
  return {
    payment_hash: r.payment_hash,
    bolt11: r.bolt11 ?? undefined,
    destination: r.destination,
    status: r.status,
    amount_msat: r.amount_msat,
    amount_sent_msat: r.amount_sent_msat,
    payment_preimage: r.preimage ?? undefined,
    created_at: r.created_at,
    completed_at: r.completed_at ?? undefined,
    failure: r.failure ?? undefined,
  };
}
