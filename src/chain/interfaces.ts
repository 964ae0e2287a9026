/**
 * The small interfaces the node depends on to see and touch the Bitcoin chain (layer 3).
 * Implementations live in the adapter layer: `chain/bitcoind/` speaks Bitcoin Core's
 * JSON-RPC to a real bitcoind, to `kite-chain`, or in-process to the embedded regtest chain.
 *
 * Conventions: txids and block hashes are 32-byte `Uint8Array`s in internal byte order (the
 * order they are serialized in, as `TxIn.txid`); convert with `hashToHex`/`hexToHash` at the
 * edges. Feerates are in satoshi per 1000 weight units (sat/kw), the unit BOLT #2 and #3 use.
 */
import type { Tx } from '../bitcoin/index.ts';
import type { Sat } from '../lib/index.ts';

/** Stable error codes of the chain layer (KiteError.code). */
export const CHAIN_ERRORS = {
  /** The backend cannot be reached (after retries) or answers nonsense. */
  UNAVAILABLE: -60,
  /** The backend refused a transaction or package; the message carries its reason. */
  BROADCAST_REJECTED: -61,
  /** A reorg deeper than the block hashes the watcher keeps. */
  DEEP_REORG: -62,
  /** The backend cannot estimate a feerate and no fallback is configured. */
  NO_FEE_ESTIMATE: -63,
} as const;

/** A transaction output reference. `txid` is in internal byte order. */
export interface OutPoint {
  txid: Uint8Array;
  vout: number;
}

/** The best block as the backend sees it. */
export interface ChainTip {
  height: number;
  hash: Uint8Array;
}

/** What a block header tells a Lightning node. */
export interface BlockHeaderInfo {
  hash: Uint8Array;
  height: number;
  /** Hash of the previous block (all zero for the genesis block). */
  prevHash: Uint8Array;
  /** Header timestamp (seconds). */
  time: number;
  /** BIP113 median-time-past of this block. */
  medianTime: number;
}

/** A block with its transactions parsed into Kite's Tx type. */
export interface ChainBlock extends BlockHeaderInfo {
  txs: Tx[];
}

/** A transaction found by txid, with where (if anywhere) it is confirmed. */
export interface TxLookup {
  tx: Tx;
  /** 0 while in the mempool. */
  confirmations: number;
  blockHash?: Uint8Array;
  blockHeight?: number;
}

/** An unspent output as `gettxout` reports it. */
export interface UtxoInfo {
  value: Sat;
  script: Uint8Array;
  /** 0 for an output of a mempool transaction (when the mempool was included). */
  confirmations: number;
  coinbase: boolean;
}

/**
 * ChainSource reads the chain. All methods may reject with a KiteError when the backend is
 * unreachable; "not found" is `null`, never an exception.
 */
export interface ChainSource {
  /** The best block. */
  getTip(): Promise<ChainTip>;
  /** Hash of the block at `height` on the best chain, or null above the tip. */
  getBlockHash(height: number): Promise<Uint8Array | null>;
  /** Header information of a block (on any branch the backend knows). */
  getBlockHeader(hash: Uint8Array): Promise<BlockHeaderInfo | null>;
  /** A whole block with parsed transactions, or null if unknown. */
  getBlock(hash: Uint8Array): Promise<ChainBlock | null>;
  /** A transaction by txid (mempool, or confirmed where the backend indexes it). */
  getTransaction(txid: Uint8Array): Promise<TxLookup | null>;
  /** An unspent output (`gettxout`); with includeMempool, outputs spent in the mempool are null. */
  getUtxo(outpoint: OutPoint, includeMempool?: boolean): Promise<UtxoInfo | null>;
  /** The txids currently in the mempool. */
  getMempoolTxids(): Promise<Uint8Array[]>;
}

/** BOLT #3's floor: 253 sat/kw is the smallest feerate that always meets 1 sat/vbyte. */
export const FEERATE_FLOOR_SAT_PER_KW = 253;

/** FeeEstimator turns a confirmation target into a feerate. */
export interface FeeEstimator {
  /**
   * Feerate in sat per 1000 weight units to confirm within `targetBlocks` blocks, never below
   * FEERATE_FLOOR_SAT_PER_KW.
   */
  estimateFeerate(targetBlocks: number): Promise<number>;
}

/** Outcome of a broadcast. `alreadyKnown` when the chain or mempool already had it. */
export interface BroadcastResult {
  txid: Uint8Array;
  alreadyKnown: boolean;
}

/** Outcome of a package submission. */
export interface PackageResult {
  txids: Uint8Array[];
  /** txids that this package replaced in the mempool. */
  replaced: Uint8Array[];
}

/**
 * Broadcaster publishes transactions. It is idempotent: a transaction that is already in
 * the chain or the mempool is a success. A rejection is a BroadcastError.
 */
export interface Broadcaster {
  broadcast(tx: Tx): Promise<BroadcastResult>;
  /** Submit a package (parents first, child last), e.g. a zero-fee parent and its CPFP child. */
  submitPackage(txs: Tx[]): Promise<PackageResult>;
}

/** A backend that does all four jobs (what BitcoindBackend provides). */
export type ChainBackend = ChainSource & FeeEstimator & Broadcaster;

/** Identifies a registered watch. */
export type WatchId = number;

/** Events a ChainNotifier emits, in chain order. */
export type ChainEvent =
  | { type: 'block_connected'; block: ChainBlock }
  | { type: 'block_disconnected'; height: number; hash: Uint8Array }
  /** Emitted before the disconnections of a reorg; `forkHeight` is the last common block. */
  | { type: 'reorg'; forkHeight: number; oldTip: ChainTip; newTip: ChainTip }
  | { type: 'tip_changed'; tip: ChainTip }
  /** A transaction seen in the mempool for the first time (when mempool watching is on). */
  | { type: 'mempool_tx'; tx: Tx; txid: Uint8Array }
  | {
      type: 'tx_confirmed';
      watchId: WatchId;
      txid: Uint8Array;
      tx: Tx;
      blockHash: Uint8Array;
      blockHeight: number;
      txIndex: number;
      /** Confirmations at the time of the event (>= the watched depth). */
      depth: number;
    }
  /** A transaction reported confirmed was reorganised out. */
  | { type: 'tx_unconfirmed'; watchId: WatchId; txid: Uint8Array }
  | {
      type: 'outpoint_spent';
      watchId: WatchId;
      outpoint: OutPoint;
      spendingTx: Tx;
      spendingTxid: Uint8Array;
      inputIndex: number;
      /** Undefined while the spend is only in the mempool. */
      blockHeight?: number;
      blockHash?: Uint8Array;
    }
  /** A confirmed spend reported earlier was reorganised out. */
  | { type: 'spend_unconfirmed'; watchId: WatchId; outpoint: OutPoint; spendingTxid: Uint8Array };

/** Listener for ChainEvents. */
export type ChainListener = (event: ChainEvent) => void;

/**
 * ChainNotifier tells the node what happens on chain: new blocks, reorgs, confirmations of a
 * txid or output script at a depth, and spends of outpoints (mempool too, where visible).
 */
export interface ChainNotifier {
  subscribe(listener: ChainListener): () => void;
  /**
   * Watch for `txid` reaching `depth` confirmations. `script` (an output script of the tx)
   * lets backends without a tx index find it; `heightHint` is the lowest height to look at.
   */
  watchConfirmations(txid: Uint8Array, depth: number, opts?: { script?: Uint8Array; heightHint?: number }): WatchId;
  /** Watch for any transaction paying to `script` reaching `depth` confirmations. */
  watchScriptConfirmations(script: Uint8Array, depth: number, opts?: { heightHint?: number }): WatchId;
  /** Watch for a spend of `outpoint`, in the mempool and in blocks. */
  watchSpend(outpoint: OutPoint, opts?: { heightHint?: number }): WatchId;
  unwatch(id: WatchId): void;
}

/** The display-order hash helpers and the outpoint key live in bitcoin/ (hash-hex.ts). */
export { hashToHex, hexToHash, outpointKey } from '../bitcoin/index.ts';
