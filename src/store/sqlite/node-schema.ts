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
  {
    version: 2,
    description: 'channels and payments',
    up: (db) =>
      db.exec(`
        CREATE TABLE channels (
          dbid INTEGER PRIMARY KEY AUTOINCREMENT,
          peer_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          key_index INTEGER NOT NULL UNIQUE,
          state_name TEXT NOT NULL,
          record TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX channels_peer ON channels (peer_id);
        CREATE TABLE payments (
          payment_hash TEXT PRIMARY KEY,
          bolt11 TEXT,
          destination TEXT NOT NULL,
          amount_msat INTEGER NOT NULL,
          amount_sent_msat INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'complete', 'failed')),
          preimage TEXT,
          failure TEXT,
          created_at INTEGER NOT NULL,
          completed_at INTEGER
        );
      `),
  },
  {
    version: 3,
    description: 'the HTLCs that paid each invoice',
    // An HTLC that paid an invoice may be delivered again after a crash between marking the
    // invoice paid and committing the fulfill: it must be fulfilled again, not refused.
    up: (db) =>
      db.exec(`
        CREATE TABLE invoice_htlcs (
          htlc_key TEXT PRIMARY KEY,
          payment_hash BLOB NOT NULL
        );
      `),
  },
  {
    version: 4,
    description: 'the counterparty commitments we signed',
    // Enough of each counterparty commitment we signed to act on it on chain should it be
    // published, revoked or not: its txid (to recognise it), number (to derive its keys, and
    // its secret from the shachain once revoked), balances and HTLCs (to rebuild its output
    // scripts). Written in the same transaction as the channel state that signed it.
    up: (db) =>
      db.exec(`
        CREATE TABLE remote_commitments (
          channel_dbid INTEGER NOT NULL,
          number INTEGER NOT NULL,
          txid TEXT NOT NULL,
          record TEXT NOT NULL,
          PRIMARY KEY (channel_dbid, number)
        );
        CREATE INDEX remote_commitments_txid ON remote_commitments (txid);
      `),
  },
  {
    version: 5,
    description: 'developer mode: our own signed commitments',
    // Only written with --developer, so that a test or demo can publish one of our revoked
    // commitments on purpose (dev-publish-revoked). A real node never keeps them.
    up: (db) =>
      db.exec(`
        CREATE TABLE dev_local_commitments (
          channel_dbid INTEGER NOT NULL,
          number INTEGER NOT NULL,
          tx TEXT NOT NULL,
          to_us_msat TEXT NOT NULL,
          PRIMARY KEY (channel_dbid, number)
        );
      `),
  },
  {
    version: 6,
    description: 'funding spends being resolved on chain',
    // Written when a transaction spending a channel's funding output is first seen, before
    // anything is done about it; everything else the resolver recomputes from it.
    up: (db) =>
      db.exec(`
        CREATE TABLE channel_closes (
          channel_dbid INTEGER PRIMARY KEY,
          spend_txid TEXT NOT NULL,
          spend_tx TEXT NOT NULL,
          kind TEXT NOT NULL,
          spend_height INTEGER,
          resolved_height INTEGER,
          updated_at INTEGER NOT NULL
        );
      `),
  },
];
