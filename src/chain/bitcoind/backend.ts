/**
 * BitcoindBackend: ChainSource, FeeEstimator and Broadcaster over Bitcoin Core's JSON-RPC.
 * It is given an RpcCall, so the same code serves a real bitcoind (HTTP), the kite-chain
 * server (HTTP) and the embedded regtest chain (in-process, see embedded.ts). Everything is
 * written to Bitcoin Core's documented RPC behaviour: result shapes, amounts in BTC, and the
 * error codes of src/rpc/protocol.h.
 */
import type { Tx } from '../../bitcoin/index.ts';
import { parseTx, serializeTx, txid as computeTxid } from '../../bitcoin/index.ts';
import { KiteError, fromHex, sat, toHex, type Sat } from '../../lib/index.ts';
import {
  CHAIN_ERRORS,
  FEERATE_FLOOR_SAT_PER_KW,
  hashToHex,
  hexToHash,
  type BlockHeaderInfo,
  type BroadcastResult,
  type ChainBackend,
  type ChainBlock,
  type ChainTip,
  type OutPoint,
  type PackageResult,
  type TxLookup,
  type UtxoInfo,
} from '../interfaces.ts';
import { RPC_CODES, RpcError, type RpcCall } from '../rpc-types.ts';
import { splitBlock } from './raw-block.ts';
import { ErrorCodes } from '../../lib/error-codes.ts';

/** Options of BitcoindBackend. */
export interface BitcoindBackendOptions {
  /**
   * Feerate (sat/kw) to use when `estimatesmartfee` has no estimate (typical on a fresh
   * regtest chain). Without it, such an estimate is a KiteError NO_FEE_ESTIMATE.
   */
  fallbackFeerate?: number;
  /** estimatesmartfee's estimate_mode (default "CONSERVATIVE", as Core Lightning uses). */
  estimateMode?: 'CONSERVATIVE' | 'ECONOMICAL';
  /** Upper bound (sat/kw) applied to estimates, against a runaway estimator (default 250000). */
  maxFeerate?: number;
}

/**
 * BroadcastError: the backend rejected a transaction. `reason` is Bitcoin Core's reject
 * string (e.g. "min relay fee not met", "txn-mempool-conflict") and `rpcCode` its code.
 */
export class BroadcastError extends KiteError {
  override name = 'BroadcastError';
  constructor(
    readonly reason: string,
    readonly rpcCode: number,
    readonly txid?: Uint8Array,
  ) {
    super(CHAIN_ERRORS.BROADCAST_REJECTED, `transaction rejected: ${reason}`, { reason, rpcCode });
  }
}

/** btcToSat converts a JSON BTC amount (a number with up to 8 decimals) to satoshis. */
export function btcToSat(btc: unknown): Sat {
  if (typeof btc !== 'number' || !Number.isFinite(btc)) throw badShape(`expected a BTC amount, got ${JSON.stringify(btc)}`);
  return sat(BigInt(Math.round(btc * 1e8)));
}

/** satToBtc formats satoshis as a BTC amount for RPC parameters. */
export function satToBtc(s: bigint): number {
  return Number(s) / 1e8;
}

function badShape(what: string): KiteError {
  return new KiteError(CHAIN_ERRORS.UNAVAILABLE, `unexpected bitcoind response: ${what}`);
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badShape(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function asNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badShape(`${what} is not a number`);
  return v;
}

function asString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw badShape(`${what} is not a string`);
  return v;
}

const isRpcError = (e: unknown, ...codes: number[]): e is RpcError => e instanceof RpcError && codes.includes(e.code);

/** Core's messages for "this transaction is already there" (any version). */
const ALREADY_KNOWN = /already in (the )?block ?chain|outputs already in utxo set|txn-already-in-mempool|txn-already-known|already have transaction/i;

/** BitcoindBackend implements ChainBackend over an RpcCall. */
export class BitcoindBackend implements ChainBackend {
  constructor(
    readonly rpc: RpcCall,
    private readonly opts: BitcoindBackendOptions = {},
  ) {}

  /** getTip reads height and best hash in one call (getblockchaininfo), so they agree. */
  async getTip(): Promise<ChainTip> {
    const info = asObject(await this.rpc('getblockchaininfo', []), 'getblockchaininfo');
    return { height: asNumber(info.blocks, 'blocks'), hash: hexToHash(asString(info.bestblockhash, 'bestblockhash')) };
  }

  async getBlockHash(height: number): Promise<Uint8Array | null> {
    if (!Number.isInteger(height) || height < 0) return null;
    try {
      return hexToHash(asString(await this.rpc('getblockhash', [height]), 'getblockhash'));
    } catch (e) {
      if (isRpcError(e, RPC_CODES.INVALID_PARAMETER)) return null; // "Block height out of range"
      throw e;
    }
  }

  async getBlockHeader(hash: Uint8Array): Promise<BlockHeaderInfo | null> {
    let h: Record<string, unknown>;
    try {
      h = asObject(await this.rpc('getblockheader', [hashToHex(hash), true]), 'getblockheader');
    } catch (e) {
      if (isRpcError(e, RPC_CODES.INVALID_ADDRESS_OR_KEY)) return null; // "Block not found"
      throw e;
    }
    return {
      hash: hexToHash(asString(h.hash, 'hash')),
      height: asNumber(h.height, 'height'),
      prevHash: typeof h.previousblockhash === 'string' ? hexToHash(h.previousblockhash) : new Uint8Array(32),
      time: asNumber(h.time, 'time'),
      medianTime: asNumber(h.mediantime, 'mediantime'),
    };
  }

  /** getBlock fetches the raw block (verbosity 0) and its header, and parses the transactions. */
  async getBlock(hash: Uint8Array): Promise<ChainBlock | null> {
    const header = await this.getBlockHeader(hash);
    if (!header) return null;
    let hex: string;
    try {
      hex = asString(await this.rpc('getblock', [hashToHex(hash), 0]), 'getblock');
    } catch (e) {
      if (isRpcError(e, RPC_CODES.INVALID_ADDRESS_OR_KEY, RPC_CODES.MISC_ERROR)) return null; // not found / pruned
      throw e;
    }
    const { txs } = splitBlock(fromHex(hex));
    return { ...header, txs: txs.map((t) => parseTx(t)) };
  }

  async getTransaction(txid: Uint8Array): Promise<TxLookup | null> {
    let r: Record<string, unknown>;
    try {
      r = asObject(await this.rpc('getrawtransaction', [hashToHex(txid), true]), 'getrawtransaction');
    } catch (e) {
      if (isRpcError(e, RPC_CODES.INVALID_ADDRESS_OR_KEY)) return null; // "No such mempool or blockchain transaction"
      throw e;
    }
    const tx = parseTx(fromHex(asString(r.hex, 'hex')));
    const confirmations = typeof r.confirmations === 'number' ? r.confirmations : 0;
    if (confirmations > 0 && typeof r.blockhash === 'string') {
      const blockHash = hexToHash(r.blockhash);
      const header = await this.getBlockHeader(blockHash);
      return { tx, confirmations, blockHash, blockHeight: header?.height };
    }
    return { tx, confirmations: 0 };
  }

  async getUtxo(outpoint: OutPoint, includeMempool = true): Promise<UtxoInfo | null> {
    const r = await this.rpc('gettxout', [hashToHex(outpoint.txid), outpoint.vout, includeMempool]);
    if (r === null || r === undefined) return null;
    const o = asObject(r, 'gettxout');
    const spk = asObject(o.scriptPubKey, 'scriptPubKey');
    return {
      value: btcToSat(o.value),
      script: fromHex(asString(spk.hex, 'scriptPubKey.hex')),
      confirmations: asNumber(o.confirmations, 'confirmations'),
      coinbase: o.coinbase === true,
    };
  }

  async getMempoolTxids(): Promise<Uint8Array[]> {
    const r = await this.rpc('getrawmempool', [false]);
    if (!Array.isArray(r)) throw badShape('getrawmempool is not an array');
    return r.map((h) => hexToHash(asString(h, 'txid')));
  }

  /**
   * estimateFeerate converts estimatesmartfee's BTC/kvB into sat per 1000 weight units
   * (1 vbyte = 4 weight units, so sat/kw = sat/kvB / 4) and applies the 253 sat/kw floor.
   */
  async estimateFeerate(targetBlocks: number): Promise<number> {
    const target = Math.max(1, Math.min(1008, Math.floor(targetBlocks)));
    const r = asObject(await this.rpc('estimatesmartfee', [target, this.opts.estimateMode ?? 'CONSERVATIVE']), 'estimatesmartfee');
    let perKw: number;
    if (typeof r.feerate === 'number' && r.feerate > 0) {
      perKw = Math.floor(Number(btcToSat(r.feerate)) / 4);
    } else if (this.opts.fallbackFeerate !== undefined) {
      perKw = this.opts.fallbackFeerate;
    } else {
      const why = Array.isArray(r.errors) ? r.errors.join('; ') : 'no estimate';
      throw new KiteError(CHAIN_ERRORS.NO_FEE_ESTIMATE, `estimatesmartfee ${target}: ${why} (configure a fallback feerate)`);
    }
    return Math.min(Math.max(perKw, FEERATE_FLOOR_SAT_PER_KW), this.opts.maxFeerate ?? 250_000);
  }

  /** broadcast sends a transaction; "already in chain/mempool" counts as success. */
  async broadcast(tx: Tx): Promise<BroadcastResult> {
    const id = computeTxid(tx);
    try {
      // maxfeerate 0 disables Core's absurd-fee check: the wallet enforces its own bound.
      await this.rpc('sendrawtransaction', [toHex(serializeTx(tx)), 0]);
      return { txid: id, alreadyKnown: false };
    } catch (e) {
      if (e instanceof RpcError) {
        if (e.code === RPC_CODES.VERIFY_ALREADY_IN_CHAIN || ALREADY_KNOWN.test(e.message)) return { txid: id, alreadyKnown: true };
        if (e.code === RPC_CODES.VERIFY_ERROR || e.code === RPC_CODES.VERIFY_REJECTED || e.code === RPC_CODES.DESERIALIZATION_ERROR) {
          throw new BroadcastError(e.message, e.code, id);
        }
      }
      throw e;
    }
  }

  /**
   * submitPackage uses Core's `submitpackage` (parents first, child last), the way to get a
   * below-minimum-fee parent (an anchor commitment) mined together with its CPFP child.
   */
  async submitPackage(txs: Tx[]): Promise<PackageResult> {
    if (txs.length === 0) throw new KiteError(ErrorCodes.CHAIN_INVALID_PARAMETER, 'submitPackage: the package is empty');
    if (txs.length === 1) {
      const r = await this.broadcast(txs[0]);
      return { txids: [r.txid], replaced: [] };
    }
    const ids = txs.map((t) => computeTxid(t));
    let r: Record<string, unknown>;
    try {
      r = asObject(await this.rpc('submitpackage', [txs.map((t) => toHex(serializeTx(t)))]), 'submitpackage');
    } catch (e) {
      if (e instanceof RpcError && (e.code === RPC_CODES.VERIFY_ERROR || e.code === RPC_CODES.VERIFY_REJECTED || e.code === RPC_CODES.INVALID_PARAMETER)) {
        throw new BroadcastError(e.message, e.code);
      }
      throw e;
    }
    const results = typeof r['tx-results'] === 'object' && r['tx-results'] !== null ? (r['tx-results'] as Record<string, unknown>) : {};
    const errors: string[] = [];
    for (const [wtxid, v] of Object.entries(results)) {
      const o = v as Record<string, unknown> | null;
      if (o && typeof o.error === 'string' && !ALREADY_KNOWN.test(o.error)) errors.push(`${String(o.txid ?? wtxid)}: ${o.error}`);
    }
    const msg = typeof r.package_msg === 'string' ? r.package_msg : 'success';
    if (msg !== 'success' || errors.length > 0) {
      throw new BroadcastError(errors.length > 0 ? `${msg}: ${errors.join('; ')}` : msg, RPC_CODES.VERIFY_REJECTED);
    }
    const replaced = Array.isArray(r['replaced-transactions']) ? (r['replaced-transactions'] as unknown[]).map((h) => hexToHash(asString(h, 'replaced txid'))) : [];
    return { txids: ids, replaced };
  }
}
