/**
 * The invoice store on SQLite: tables `invoices` and `invoice_htlcs` of the node schema
 * (store/sqlite/node-schema.ts). Each write is one synchronous commit.
 */
import type { Msat } from '../../lib/units.ts';
import type { InvoiceStatus, InvoiceStore, StoredInvoice } from '../invoice-store.ts';
import type { Db } from './database.ts';

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

function fromRow(r: Row): StoredInvoice {
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

/** SqliteInvoiceStore keeps invoices in the node's database. */
export class SqliteInvoiceStore implements InvoiceStore {
  constructor(private readonly db: Db) {
    db.defaultSafeIntegers(false);
  }

  insert(r: Omit<StoredInvoice, 'status' | 'payIndex' | 'amountReceivedMsat' | 'paidAt'>): void {
    this.db
      .prepare(
        `INSERT INTO invoices (label, payment_hash, preimage, payment_secret, amount_msat, description, bolt11, created_at, expires_at, min_final_cltv_expiry, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unpaid')`,
      )
      .run(r.label, r.paymentHash, r.preimage, r.paymentSecret, r.amountMsat === null ? null : r.amountMsat, r.description, r.bolt11, r.createdAt, r.expiresAt, r.minFinalCltvExpiry);
  }

  byLabel(label: string): StoredInvoice | null {
    const r = this.db.prepare('SELECT * FROM invoices WHERE label = ?').get(label) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  byHash(hash: Uint8Array): StoredInvoice | null {
    const r = this.db.prepare('SELECT * FROM invoices WHERE payment_hash = ?').get(hash) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  list(): StoredInvoice[] {
    return (this.db.prepare('SELECT * FROM invoices ORDER BY created_at, label').all() as Row[]).map(fromRow);
  }

  markPaid(paymentHash: Uint8Array, receivedMsat: Msat, paidAt: number, htlcKeys: readonly string[]): void {
    this.db.transaction(() => {
      const next = ((this.db.prepare('SELECT MAX(pay_index) AS m FROM invoices').get() as { m: number | null }).m ?? 0) + 1;
      this.db
        .prepare(`UPDATE invoices SET status = 'paid', pay_index = ?, amount_received_msat = ?, paid_at = ? WHERE payment_hash = ?`)
        .run(next, receivedMsat, paidAt, paymentHash);
      const add = this.db.prepare('INSERT OR IGNORE INTO invoice_htlcs (htlc_key, payment_hash) VALUES (?, ?)');
      for (const k of htlcKeys) add.run(k, paymentHash);
    })();
  }

  paidByHash(htlcKey: string): Uint8Array | null {
    const row = this.db.prepare('SELECT payment_hash FROM invoice_htlcs WHERE htlc_key = ?').get(htlcKey) as { payment_hash: Uint8Array } | undefined;
    return row ? new Uint8Array(row.payment_hash) : null;
  }
}
