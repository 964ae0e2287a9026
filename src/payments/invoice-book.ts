/**
 * The invoice book: invoices this node issued, with their preimages, persisted in SQLite
 * before the bolt11 string is handed out (persist before you speak: a paid invoice whose
 * preimage was lost would be money lost). States: unpaid → paid, or unpaid → expired.
 */
import type { Db } from '../store/sqlite/index.ts';
import { createInvoice, type InvoiceNetwork } from '../invoice/index.ts';
import { sha256 } from '../crypto/index.ts';
import { KiteError } from '../lib/errors.ts';
import { equalBytes, toHex } from '../lib/bytes.ts';
import type { Msat } from '../lib/units.ts';

export type InvoiceStatus = 'unpaid' | 'paid' | 'expired';

export interface InvoiceRecord {
  label: string;
  paymentHash: Uint8Array;
  preimage: Uint8Array;
  paymentSecret: Uint8Array;
  amountMsat: Msat | null;
  description: string;
  bolt11: string;
  createdAt: number;
  expiresAt: number;
  minFinalCltvExpiry: number;
  status: InvoiceStatus;
  payIndex: number | null;
  amountReceivedMsat: Msat | null;
  paidAt: number | null;
}

/** Error codes of invoice commands (Core Lightning's numbering). */
export const INVOICE_ERRORS = { DUPLICATE_LABEL: 900, DUPLICATE_PREIMAGE: 901, UNKNOWN: 905, EXPIRED: 903 } as const;

interface Row {
  label: string;
  payment_hash: Buffer;
  preimage: Buffer;
  payment_secret: Buffer;
  amount_msat: number | bigint | null;
  description: string;
  bolt11: string;
  created_at: number;
  expires_at: number;
  min_final_cltv_expiry: number;
  status: InvoiceStatus;
  pay_index: number | null;
  amount_received_msat: number | bigint | null;
  paid_at: number | null;
}

function fromRow(r: Row): InvoiceRecord {
  return {
    label: r.label,
    paymentHash: new Uint8Array(r.payment_hash),
    preimage: new Uint8Array(r.preimage),
    paymentSecret: new Uint8Array(r.payment_secret),
    amountMsat: r.amount_msat === null ? null : (BigInt(r.amount_msat) as Msat),
    description: r.description,
    bolt11: r.bolt11,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    minFinalCltvExpiry: r.min_final_cltv_expiry,
    status: r.status,
    payIndex: r.pay_index,
    amountReceivedMsat: r.amount_received_msat === null ? null : (BigInt(r.amount_received_msat) as Msat),
    paidAt: r.paid_at,
  };
}

export interface InvoiceBookOptions {
  db: Db;
  network: InvoiceNetwork;
  nodeSecret: Uint8Array;
  now: () => number;
  random: (n: number) => Uint8Array;
}

/** InvoiceBook creates, stores, lists and settles invoices. */
export class InvoiceBook {
  private waiters = new Map<string, ((r: InvoiceRecord) => void)[]>();

  constructor(private readonly o: InvoiceBookOptions) {
    o.db.defaultSafeIntegers(false);
  }

  /**
   * create issues an invoice. The record (with its preimage) is committed before the
   * bolt11 string is returned.
   */
  create(p: { amountMsat: Msat | null; label: string; description: string; expirySeconds?: number; preimage?: Uint8Array; minFinalCltvExpiry?: number }): InvoiceRecord {
    if (p.label.length === 0 || p.label.length > 200) throw new KiteError(-32602, "invalid parameter 'label': 1 to 200 characters");
    if (this.get(p.label)) throw new KiteError(INVOICE_ERRORS.DUPLICATE_LABEL, `duplicate label '${p.label}'`);
    const expiry = p.expirySeconds ?? 604800;
    if (!Number.isSafeInteger(expiry) || expiry < 1) throw new KiteError(-32602, "invalid parameter 'expiry': a positive number of seconds");
    const preimage = p.preimage ?? this.o.random(32);
    if (preimage.length !== 32) throw new KiteError(-32602, "invalid parameter 'preimage': 32 bytes");
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
    this.o.db
      .prepare(
        `INSERT INTO invoices (label, payment_hash, preimage, payment_secret, amount_msat, description, bolt11, created_at, expires_at, min_final_cltv_expiry, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unpaid')`,
      )
      .run(p.label, paymentHash, preimage, paymentSecret, p.amountMsat === null ? null : p.amountMsat, p.description, bolt11, now, now + expiry, minFinal);
    return this.get(p.label)!;
  }

  get(label: string): InvoiceRecord | null {
    const r = this.o.db.prepare('SELECT * FROM invoices WHERE label = ?').get(label) as Row | undefined;
    return r ? this.withExpiry(fromRow(r)) : null;
  }

  byHash(hash: Uint8Array): InvoiceRecord | null {
    const r = this.o.db.prepare('SELECT * FROM invoices WHERE payment_hash = ?').get(hash) as Row | undefined;
    return r ? this.withExpiry(fromRow(r)) : null;
  }

  list(): InvoiceRecord[] {
    return (this.o.db.prepare('SELECT * FROM invoices ORDER BY created_at, label').all() as Row[]).map((r) => this.withExpiry(fromRow(r)));
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
    this.o.db.transaction(() => {
      const next = ((this.o.db.prepare('SELECT MAX(pay_index) AS m FROM invoices').get() as { m: number | null }).m ?? 0) + 1;
      this.o.db
        .prepare(`UPDATE invoices SET status = 'paid', pay_index = ?, amount_received_msat = ?, paid_at = ? WHERE payment_hash = ?`)
        .run(next, receivedMsat, this.o.now(), paymentHash);
      const add = this.o.db.prepare('INSERT OR IGNORE INTO invoice_htlcs (htlc_key, payment_hash) VALUES (?, ?)');
      for (const k of htlcKeys) add.run(k, paymentHash);
    })();
    const paid = this.byHash(paymentHash)!;
    for (const w of this.waiters.get(paid.label) ?? []) w(paid);
    this.waiters.delete(paid.label);
    return paid;
  }

  /** paidBy tells whether the HTLC with this key is one of those that paid the invoice. */
  paidBy(paymentHash: Uint8Array, htlcKey: string): boolean {
    const row = this.o.db.prepare('SELECT payment_hash FROM invoice_htlcs WHERE htlc_key = ?').get(htlcKey) as { payment_hash: Uint8Array } | undefined;
    return row !== undefined && equalBytes(row.payment_hash, paymentHash);
  }

  /** waitFor resolves when the invoice is paid, or rejects when it expires unpaid. */
  waitFor(label: string): Promise<InvoiceRecord> {
    const rec = this.get(label);
    if (!rec) return Promise.reject(new KiteError(INVOICE_ERRORS.UNKNOWN, `unknown invoice label '${label}'`));
    if (rec.status === 'paid') return Promise.resolve(rec);
    if (rec.status === 'expired') return Promise.reject(new KiteError(INVOICE_ERRORS.EXPIRED, `invoice '${label}' expired`));
    return new Promise((resolve, reject) => {
      const delay = Math.max(0, (rec.expiresAt - this.o.now() + 1) * 1000);
      const t = setTimeout(() => reject(new KiteError(INVOICE_ERRORS.EXPIRED, `invoice '${label}' expired`)), Math.min(delay, 2 ** 31 - 1));
      const list = this.waiters.get(label) ?? [];
      list.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
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
