/**
 * The invoice book: invoices this node issued, with their preimages, persisted (through an
 * injected InvoiceStore) before the bolt11 string is handed out (persist before you speak: a paid invoice whose
 * preimage was lost would be money lost). States: unpaid → paid, or unpaid → expired.
 */
import type { InvoiceStatus, InvoiceStore, StoredInvoice } from '../store/invoice-store.ts';
import { createInvoice, type InvoiceNetwork } from '../invoice/index.ts';
import { sha256 } from '../crypto/index.ts';
import { KiteError } from '../lib/errors.ts';
import { equalBytes, toHex } from '../lib/bytes.ts';
import type { Msat } from '../lib/units.ts';
import { ErrorCodes } from '../lib/error-codes.ts';

export type { InvoiceStatus };

/** An invoice this node issued. */
export type InvoiceRecord = StoredInvoice;

/** Error codes of invoice commands (Core Lightning's numbering). */
export const INVOICE_ERRORS = {
  DUPLICATE_LABEL: ErrorCodes.INVOICE_LABEL_ALREADY_EXISTS,
  DUPLICATE_PREIMAGE: ErrorCodes.INVOICE_PREIMAGE_ALREADY_EXISTS,
  UNKNOWN: ErrorCodes.INVOICE_NOT_FOUND,
  EXPIRED: ErrorCodes.INVOICE_EXPIRED_DURING_WAIT,
} as const;

export interface InvoiceBookOptions {
  store: InvoiceStore;
  network: InvoiceNetwork;
  nodeSecret: Uint8Array;
  /** Seconds since the Unix epoch. */
  now: () => number;
  random: (n: number) => Uint8Array;
  /** Runs `fn` after `ms` milliseconds and returns what cancels it (the node's clock); waitFor's expiry uses it. */
  schedule: (ms: number, fn: () => void) => () => void;
}

/** InvoiceBook creates, stores, lists and settles invoices. */
export class InvoiceBook {
  private waiters = new Map<string, ((r: InvoiceRecord) => void)[]>();

  constructor(private readonly o: InvoiceBookOptions) {}

  /**
   * create issues an invoice. The record (with its preimage) is committed before the
   * bolt11 string is returned.
   */
  create(p: { amountMsat: Msat | null; label: string; description: string; expirySeconds?: number; preimage?: Uint8Array; minFinalCltvExpiry?: number }): InvoiceRecord {
    if (p.label.length === 0 || p.label.length > 200) throw new KiteError(ErrorCodes.INVALID_PARAMS, "invalid parameter 'label': 1 to 200 characters");
    if (this.get(p.label)) throw new KiteError(INVOICE_ERRORS.DUPLICATE_LABEL, `duplicate label '${p.label}'`);
    const expiry = p.expirySeconds ?? 604800;
    if (!Number.isSafeInteger(expiry) || expiry < 1) throw new KiteError(ErrorCodes.INVALID_PARAMS, "invalid parameter 'expiry': a positive number of seconds");
    const preimage = p.preimage ?? this.o.random(32);
    if (preimage.length !== 32) throw new KiteError(ErrorCodes.INVALID_PARAMS, "invalid parameter 'preimage': 32 bytes");
    const paymentHash = sha256(preimage);
    if (this.byHash(paymentHash)) throw new KiteError(INVOICE_ERRORS.DUPLICATE_PREIMAGE, 'an invoice with this preimage already exists');
    const paymentSecret = this.o.random(32);
    const now = this.o.now();
    const minFinal = p.minFinalCltvExpiry ?? 18;
    const { bolt11 } = createInvoice({
      network: this.o.network,
      amountMsat: p.amountMsat ?? undefined,
      preimage,
      paymentSecret,
      description: p.description,
      expirySeconds: expiry,
      minFinalCltvExpiryDelta: minFinal,
      timestamp: now,
      nodeSecret: this.o.nodeSecret,
    });
    this.o.store.insert({
      label: p.label,
      paymentHash,
      preimage,
      paymentSecret,
      amountMsat: p.amountMsat,
      description: p.description,
      bolt11,
      createdAt: now,
      expiresAt: now + expiry,
      minFinalCltvExpiry: minFinal,
    });
    return this.get(p.label)!;
  }

  get(label: string): InvoiceRecord | null {
    const r = this.o.store.byLabel(label);
    return r ? this.withExpiry(r) : null;
  }

  byHash(hash: Uint8Array): InvoiceRecord | null {
    const r = this.o.store.byHash(hash);
    return r ? this.withExpiry(r) : null;
  }

  list(): InvoiceRecord[] {
    return this.o.store.list().map((r) => this.withExpiry(r));
  }

  private withExpiry(r: InvoiceRecord): InvoiceRecord {
    if (r.status === 'unpaid' && this.o.now() > r.expiresAt) return { ...r, status: 'expired' };
    return r;
  }

  /**
   * markPaid settles an invoice (durably, with the keys of the HTLCs that paid it) and wakes
   * its waiters.
   */
  markPaid(paymentHash: Uint8Array, receivedMsat: Msat, htlcKeys: readonly string[] = []): InvoiceRecord {
    const rec = this.byHash(paymentHash);
    if (!rec) throw new KiteError(INVOICE_ERRORS.UNKNOWN, `no invoice with payment_hash ${toHex(paymentHash)}`);
    if (rec.status === 'paid') return rec;
    this.o.store.markPaid(paymentHash, receivedMsat, this.o.now(), htlcKeys);
    const paid = this.byHash(paymentHash)!;
    for (const w of this.waiters.get(paid.label) ?? []) w(paid);
    this.waiters.delete(paid.label);
    return paid;
  }

  /** paidBy tells whether the HTLC with this key is one of those that paid the invoice. */
  paidBy(paymentHash: Uint8Array, htlcKey: string): boolean {
    const paid = this.o.store.paidByHash(htlcKey);
    return paid !== null && equalBytes(paid, paymentHash);
  }

  /** waitFor resolves when the invoice is paid, or rejects when it expires unpaid. */
  waitFor(label: string): Promise<InvoiceRecord> {
    const rec = this.get(label);
    if (!rec) return Promise.reject(new KiteError(INVOICE_ERRORS.UNKNOWN, `unknown invoice label '${label}'`));
    if (rec.status === 'paid') return Promise.resolve(rec);
    if (rec.status === 'expired') return Promise.reject(new KiteError(INVOICE_ERRORS.EXPIRED, `invoice '${label}' expired`));
    return new Promise((resolve, reject) => {
      const delay = Math.max(0, (rec.expiresAt - this.o.now() + 1) * 1000);
      const list = this.waiters.get(label) ?? [];
      const waiter = (r: InvoiceRecord): void => {
        cancel();
        resolve(r);
      };
      const cancel = this.o.schedule(Math.min(delay, 2 ** 31 - 1), () => {
        const rest = (this.waiters.get(label) ?? []).filter((w) => w !== waiter);
        if (rest.length > 0) this.waiters.set(label, rest);
        else this.waiters.delete(label);
        reject(new KiteError(INVOICE_ERRORS.EXPIRED, `invoice '${label}' expired`));
      });
      list.push(waiter);
      this.waiters.set(label, list);
    });
  }
}

/** invoiceJson renders a record for RPC output (Core Lightning's field names). */
export function invoiceJson(r: InvoiceRecord): Record<string, unknown> {
  return {
    label: r.label,
    bolt11: r.bolt11,
    payment_hash: toHex(r.paymentHash),
    amount_msat: r.amountMsat ?? undefined,
    status: r.status,
    description: r.description,
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    payment_secret: toHex(r.paymentSecret),
    ...(r.status === 'paid'
      ? { pay_index: r.payIndex, amount_received_msat: r.amountReceivedMsat, paid_at: r.paidAt, payment_preimage: toHex(r.preimage) }
      : {}),
  };
}
