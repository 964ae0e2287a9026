/**
 * The node database (`<data-dir>/kite.sqlite3`): its versioned migrations. Records carry a
 * version where they are blobs, and tables only grow, so that upgrades never strand funds.
 */
import type { Migration } from './database.ts';

export const NODE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'invoices',
    up: (db) =>
      db.exec(`
        CREATE TABLE invoices (
          label TEXT PRIMARY KEY,
          payment_hash BLOB NOT NULL UNIQUE,
          preimage BLOB NOT NULL,
          payment_secret BLOB NOT NULL,
          amount_msat INTEGER,
          description TEXT NOT NULL,
          bolt11 TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          min_final_cltv_expiry INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'expired')),
          pay_index INTEGER UNIQUE,
          amount_received_msat INTEGER,
          paid_at INTEGER
        );
      `),
  },
];
