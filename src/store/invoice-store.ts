/**
 * The invoice store's interface (layer 3): what the invoice book (payments/) needs kept
 * durably. `store/sqlite/invoice-store.ts` implements it; every write is committed before
 * the call returns (the book hands out a bolt11 only after its preimage is stored).
 */
import type { Msat } from '../lib/units.ts';

export type InvoiceStatus = 'unpaid' | 'paid' | 'expired';

/** One stored invoice. `status` is as stored: 'expired' is decided by the book from the time. */
export interface StoredInvoice {
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

export interface InvoiceStore {
  /** insert stores a new unpaid invoice (durably). */
  insert(r: Omit<StoredInvoice, 'status' | 'payIndex' | 'amountReceivedMsat' | 'paidAt'>): void;
  byLabel(label: string): StoredInvoice | null;
  byHash(paymentHash: Uint8Array): StoredInvoice | null;
  /** All invoices, oldest first (then by label). */
  list(): StoredInvoice[];
  /**
   * markPaid settles an unpaid invoice in one transaction: the next pay_index, the amount,
   * the time, and the keys of the HTLCs that paid it.
   */
  markPaid(paymentHash: Uint8Array, receivedMsat: Msat, paidAt: number, htlcKeys: readonly string[]): void;
  /** paidByHash returns the payment hash the HTLC with this key paid, or null. */
  paidByHash(htlcKey: string): Uint8Array | null;
}
