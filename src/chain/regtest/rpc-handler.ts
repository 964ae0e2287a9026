/**
 * The embedded chain's JSON-RPC surface: Bitcoin Core's method names, parameters, result
 * shapes and error codes, served in-process (createChainRpc) and over HTTP (server.ts).
 * Extra methods for demos: kite_faucet, kite_mine, kite_faucetinfo.
 */
import { KiteError, toHex } from '../../lib/index.ts';
import { addressToScript, hexToHash, scriptToAddress } from '../../bitcoin/index.ts';
import { RPC_CODES, RpcError, type RpcCall } from '../rpc-types.ts';
import { headerHash, parseBlock, serializeBlock, serializeHeader } from './block.ts';
import type { BlockEntry, RegtestChain } from './chain.ts';
import { ValidationError } from './consensus.ts';
import { txidKey } from './encoding.ts';
import { FAUCET_SCRIPT, faucetBalance, faucetPay } from './faucet.ts';
import { hashToHex as hashToHexString } from '../interfaces.ts';
import { rejectString } from './mempool-accept.ts';
import type { MempoolEntry } from './mempool.ts';
import { POLICY } from './params.ts';
import { signalsRbf } from './policy.ts';
import { difficulty } from './pow.ts';
import { blockJson, btc, headerJson, scriptPubKeyJson, spentCoins, txJson } from './rpc-format.ts';
import type { Coin } from './utxo.ts';
import { Params, amountFromValue } from './rpc-params.ts';
import { isUnspendable } from './script-info.ts';
import { txDataFromRaw, type TxData } from './tx-data.ts';

/** Options of the RPC handler. */
export interface ChainRpcOptions {
  /** Called by the `stop` method (the server shuts down). */
  onStop?: () => void;
  /** Clock for `uptime` (seconds). */
  clock?: () => number;
}

type Method = { params: string[]; required: number; fn: (p: Params) => unknown; help: string };

/** Bitcoin Core's RPC_DATABASE_ERROR, returned when asked to invalidate the genesis block. */
const RPC_DATABASE_ERROR = -20;

const NOT_FOUND_TX = 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.';

/** A method table built for one chain. */
export function chainRpcMethods(chain: RegtestChain, opts: ChainRpcOptions = {}): Record<string, Method> {
  const clock = opts.clock ?? ((): number => Math.floor(Date.now() / 1000));
  const started = clock();

  const blockByHash = (h: Uint8Array): BlockEntry => {
    const e = chain.entryByHash(h);
    if (!e) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
    return e;
  };
  const decodeTx = (hex: string, msg = 'TX decode failed. Make sure the tx has at least one input.'): TxData => {
    try {
      if (typeof hex !== 'string') throw new Error();
      const raw = Uint8Array.from(Buffer.from(hex, 'hex'));
      if (raw.length * 2 !== hex.length) throw new Error();
      const t = txDataFromRaw(raw);
      if (t.tx.inputs.length === 0) throw new Error();
      return t;
    } catch {
      throw new RpcError(RPC_CODES.DESERIALIZATION_ERROR, msg);
    }
  };
  const scriptForAddress = (addr: string, msg = 'Error: Invalid address'): Uint8Array => {
    try {
      return addressToScript(addr, 'regtest');
    } catch {
      throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, msg);
    }
  };
  /** scriptForOutput accepts an address or an addr()/raw() descriptor (generateblock, generatetodescriptor). */
  const scriptForOutput = (s: string): Uint8Array => {
    const d = /^(addr|raw)\(([^)]*)\)(#[a-z0-9]{8})?$/.exec(s);
    if (d) {
      if (d[1] === 'addr') return scriptForAddress(d[2]);
      if (/^([0-9a-fA-F]{2})*$/.test(d[2])) return Uint8Array.from(Buffer.from(d[2], 'hex'));
    }
    try {
      return addressToScript(s, 'regtest');
    } catch {
      throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, `Error: Invalid address or descriptor`);
    }
  };
  const maxFeeRate = (p: Params, i: number): bigint => (p.has(i) ? amountFromValue(p.values[i]) : POLICY.defaultMaxFeeRatePerKvb);
  const mempoolEntryJson = (e: MempoolEntry): Record<string, unknown> => {
    const anc = chain.mempool.ancestors(e.key);
    const desc = chain.mempool.descendants(e.key);
    let ancSize = e.vsize;
    let ancFee = e.fee;
    for (const a of anc) {
      const x = chain.mempool.entries.get(a)!;
      ancSize += x.vsize;
      ancFee += x.fee;
    }
    let descSize = e.vsize;
    let descFee = e.fee;
    for (const d of desc) {
      const x = chain.mempool.entries.get(d)!;
      descSize += x.vsize;
      descFee += x.fee;
    }
    const replaceable = signalsRbf(e.txd.tx) || [...anc].some((a) => signalsRbf(chain.mempool.entries.get(a)!.txd.tx));
    return {
      vsize: e.vsize,
      weight: e.txd.weight,
      time: e.time,
      height: e.height,
      descendantcount: desc.size + 1,
      descendantsize: descSize,
      ancestorcount: anc.size + 1,
      ancestorsize: ancSize,
      wtxid: hashToHexString(e.txd.wtxid),
      fees: { base: btc(e.fee), modified: btc(e.fee), ancestor: btc(ancFee), descendant: btc(descFee) },
      depends: [...e.parents].map((k) => hashToHexString(chain.mempool.entries.get(k)!.txd.txid)),
      spentby: [...e.children].map((k) => hashToHexString(chain.mempool.entries.get(k)!.txd.txid)),
      'bip125-replaceable': replaceable,
      unbroadcast: false,
    };
  };
  const mempoolEntry = (p: Params): MempoolEntry => {
    const e = chain.mempool.get(p.hash(0));
    if (!e) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
    return e;
  };
  const feesJson = (fee: bigint, vsize: number, includes: TxData[], rate?: bigint): Record<string, unknown> => ({
    base: btc(fee),
    'effective-feerate': btc(rate ?? (fee * 1000n) / BigInt(Math.max(vsize, 1))),
    'effective-includes': includes.map((t) => hashToHexString(t.wtxid)),
  });
  const checkBurn = (t: TxData, maxBurn: bigint): void => {
    for (const o of t.tx.outputs) {
      if (isUnspendable(o.script) && o.value > maxBurn) throw new RpcError(RPC_CODES.VERIFY_ERROR, 'Unspendable output exceeds maximum configured by user (maxburnamount)');
    }
  };
  const decodePackage = (p: Params): TxData[] => {
    const arr = p.array(0);
    if (arr.length < 1 || arr.length > POLICY.maxPackageCount) throw new RpcError(RPC_CODES.INVALID_PARAMETER, `Array must contain between 1 and ${POLICY.maxPackageCount} transactions.`);
    return arr.map((h) => decodeTx(h as string, `TX decode failed: ${String(h).slice(0, 20)}… Make sure the tx has at least one input.`));
  };

  const m: Record<string, Method> = {};
  const def = (name: string, params: string[], required: number, help: string, fn: (p: Params) => unknown): void => {
    m[name] = { params, required, fn, help };
  };

  def('getblockchaininfo', [], 0, 'Returns an object containing various state info regarding blockchain processing.', () => ({
    chain: 'regtest',
    blocks: chain.height,
    headers: chain.headerHeight,
    bestblockhash: hashToHexString(chain.tip.hash),
    bits: (chain.tip.block.header.bits >>> 0).toString(16).padStart(8, '0'),
    difficulty: difficulty(chain.tip.block.header.bits),
    time: chain.tip.block.header.time,
    mediantime: chain.tip.mtp,
    verificationprogress: 1,
    initialblockdownload: false,
    chainwork: chain.tip.chainWork.toString(16).padStart(64, '0'),
    size_on_disk: chain.sizeOnDisk,
    pruned: false,
    warnings: [],
  }));
  def('getnetworkinfo', [], 0, 'Returns an object containing various state info regarding P2P networking.', () => ({
    version: 280000,
    subversion: '/Satoshi:28.0.0(kite-chain)/',
    protocolversion: 70016,
    localservices: '0000000000000409',
    localservicesnames: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED'],
    localrelay: true,
    timeoffset: 0,
    networkactive: true,
    connections: 0,
    connections_in: 0,
    connections_out: 0,
    networks: [],
    relayfee: btc(POLICY.minRelayFeePerKvb),
    incrementalfee: btc(POLICY.incrementalRelayFeePerKvb),
    localaddresses: [],
    warnings: [],
  }));
  def('getblockcount', [], 0, 'Returns the height of the most-work fully-validated chain.', () => chain.height);
  def('getbestblockhash', [], 0, 'Returns the hash of the best (tip) block in the most-work fully-validated chain.', () => hashToHexString(chain.tip.hash));
  def('getdifficulty', [], 0, 'Returns the proof-of-work difficulty.', () => difficulty(chain.tip.block.header.bits));
  def('getblockhash', ['height'], 1, 'Returns hash of block in best-block-chain at height provided.', (p) => {
    const h = p.int(0);
    const e = chain.entryAt(h);
    if (!e) throw new RpcError(RPC_CODES.INVALID_PARAMETER, 'Block height out of range');
    return hashToHexString(e.hash);
  });
  def('getblockheader', ['blockhash', 'verbose'], 1, 'Returns information about a block header.', (p) => {
    const e = blockByHash(p.hash(0));
    return p.bool(1, true) ? headerJson(chain, e) : toHex(serializeHeader(e.block.header));
  });
  def('getblock', ['blockhash', 'verbosity'], 1, 'Returns a block: hex (0), with txids (1), with decoded transactions and fees (2), and with prevouts (3).', (p) => {
    const e = blockByHash(p.hash(0));
    const v = p.verbosity(1, 1);
    if (v <= 0) return toHex(serializeBlock(e.block));
    return blockJson(chain, e, v);
  });
  def('getchaintips', [], 0, 'Return information about all known tips in the block tree.', () => {
    const tips = chain.allEntries().filter((e) => e.children.length === 0 || (chain.isActive(e) && e === chain.tip));
    return tips
      .map((e) => {
        let fork = e;
        while (!chain.isActive(fork)) fork = fork.prev!;
        const status = chain.isActive(e) ? 'active' : e.invalid ? 'invalid' : 'valid-fork';
        return { height: e.height, hash: hashToHexString(e.hash), branchlen: e.height - fork.height, status };
      })
      .sort((a, b) => b.height - a.height);
  });
  def('getrawtransaction', ['txid', 'verbose', 'blockhash'], 1, 'Return the raw transaction data (any confirmed transaction or mempool transaction).', (p) => {
    const txid = p.hash(0);
    const verbosity = p.verbosity(1, 0);
    if (p.has(2)) {
      const e = chain.entryByHash(p.hash(2));
      if (!e) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block hash not found');
      const idx = e.block.txs.findIndex((t) => txidKey(t.txid) === txidKey(txid));
      if (idx < 0) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'No such transaction found in the provided block. Use gettransaction for wallet transactions.');
      const t = e.block.txs[idx];
      if (verbosity <= 0) return toHex(t.raw);
      const fee = verbosity >= 2 && idx > 0 && e.fees ? e.fees[idx - 1] : undefined;
      const prevouts = verbosity >= 2 ? spentCoins(e, idx) : undefined;
      return { in_active_chain: chain.isActive(e), ...txJson(t, { hex: true, fee, prevouts }), ...confirmedFields(e) };
    }
    const loc = chain.findTx(txid);
    if (loc?.block?.height === 0) {
      throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved');
    }
    if (!loc) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, NOT_FOUND_TX);
    if (verbosity <= 0) return toHex(loc.txd.raw);
    let fee: bigint | undefined;
    let prevouts: (Coin | undefined)[] | undefined;
    if (verbosity >= 2) {
      if (loc.mempool) {
        fee = loc.mempool.fee;
        prevouts = loc.txd.tx.inputs.map((i) => chain.coin(i.txid, i.vout) ?? chain.mempool.coin(i.txid, i.vout, chain.height + 1));
      } else if (loc.block && loc.index) {
        fee = loc.block.fees?.[loc.index - 1];
        prevouts = spentCoins(loc.block, loc.index);
      }
    }
    const out = txJson(loc.txd, { hex: true, fee, prevouts });
    return loc.block ? { ...out, ...confirmedFields(loc.block) } : out;
  });
  const confirmedFields = (e: BlockEntry): Record<string, unknown> => ({
    blockhash: hashToHexString(e.hash),
    confirmations: chain.isActive(e) ? chain.height - e.height + 1 : 0,
    time: e.block.header.time,
    blocktime: e.block.header.time,
  });
  def('decoderawtransaction', ['hexstring', 'iswitness'], 1, 'Return a JSON object representing the serialized, hex-encoded transaction.', (p) => {
    const t = decodeTx(p.string(0), 'TX decode failed');
    return txJson(t);
  });
  def('decodescript', ['hexstring'], 1, 'Decode a hex-encoded script.', (p) => {
    const s = p.hex(0, 'Script');
    const j = scriptPubKeyJson(s);
    delete j.hex;
    return j;
  });
  def('gettxout', ['txid', 'n', 'include_mempool'], 2, 'Returns details about an unspent transaction output.', (p) => {
    const txid = p.hash(0);
    const n = p.int(1);
    const mem = p.bool(2, true);
    const best = hashToHexString(chain.tip.hash);
    if (mem) {
      if (chain.mempool.spender(String.fromCharCode(...txid) + '/' + n)) return null;
      const me = chain.mempool.get(txid);
      if (me) {
        const o = me.txd.tx.outputs[n];
        if (!o) return null;
        return { bestblock: best, confirmations: 0, value: btc(o.value), scriptPubKey: scriptPubKeyJson(o.script), coinbase: false };
      }
    }
    const c = chain.coin(txid, n);
    if (!c) return null;
    return { bestblock: best, confirmations: chain.height - c.height + 1, value: btc(c.value), scriptPubKey: scriptPubKeyJson(c.script), coinbase: c.coinbase };
  });
  def('gettxoutsetinfo', ['hash_type'], 0, 'Returns statistics about the unspent transaction output set.', () => ({
    height: chain.height,
    bestblock: hashToHexString(chain.tip.hash),
    txouts: chain.utxo.size,
    total_amount: btc(chain.utxo.totalValue()),
  }));
  def('getrawmempool', ['verbose', 'mempool_sequence'], 0, 'Returns all transaction ids in memory pool.', (p) => {
    const entries = chain.mempool.ordered();
    if (!p.bool(0, false)) return entries.map((e) => hashToHexString(e.txd.txid));
    const out: Record<string, unknown> = {};
    for (const e of entries) out[hashToHexString(e.txd.txid)] = mempoolEntryJson(e);
    return out;
  });
  def('getmempoolentry', ['txid'], 1, 'Returns mempool data for given transaction.', (p) => mempoolEntryJson(mempoolEntry(p)));
  def('getmempoolancestors', ['txid', 'verbose'], 1, 'Returns all in-mempool ancestors of a transaction.', (p) => {
    const e = mempoolEntry(p);
    const keys = [...chain.mempool.ancestors(e.key)];
    return relatives(keys, p.bool(1, false));
  });
  def('getmempooldescendants', ['txid', 'verbose'], 1, 'Returns all in-mempool descendants of a transaction.', (p) => {
    const e = mempoolEntry(p);
    const keys = [...chain.mempool.descendants(e.key)];
    return relatives(keys, p.bool(1, false));
  });
  const relatives = (keys: string[], verbose: boolean): unknown => {
    const es = keys.map((k) => chain.mempool.entries.get(k)!);
    if (!verbose) return es.map((e) => hashToHexString(e.txd.txid));
    const out: Record<string, unknown> = {};
    for (const e of es) out[hashToHexString(e.txd.txid)] = mempoolEntryJson(e);
    return out;
  };
  def('getmempoolinfo', [], 0, 'Returns details on the active state of the TX memory pool.', () => {
    let fees = 0n;
    for (const e of chain.mempool.entries.values()) fees += e.fee;
    return {
      loaded: true,
      size: chain.mempool.size,
      bytes: chain.mempool.totalBytes(),
      usage: chain.mempool.totalBytes() * 4,
      total_fee: btc(fees),
      maxmempool: POLICY.maxMempoolBytes,
      mempoolminfee: btc(chain.mempoolMinFee()),
      minrelaytxfee: btc(POLICY.minRelayFeePerKvb),
      incrementalrelayfee: btc(POLICY.incrementalRelayFeePerKvb),
      unbroadcastcount: 0,
      fullrbf: chain.opts.fullRbf ?? true,
    };
  });
  def('sendrawtransaction', ['hexstring', 'maxfeerate', 'maxburnamount'], 1, 'Submit a raw transaction (serialized, hex-encoded) to the mempool.', (p) => {
    const t = decodeTx(p.string(0));
    const maxFee = maxFeeRate(p, 1);
    checkBurn(t, p.amount(2, 0n));
    if (chain.mempool.get(t.txid)) return hashToHexString(t.txid);
    for (let o = 0; o < t.tx.outputs.length; o++) {
      if (chain.coin(t.txid, o)) throw new RpcError(RPC_CODES.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set');
    }
    const r = chain.acceptTx(t, { maxFeeRatePerKvb: maxFee });
    if (r.ok) return hashToHexString(t.txid);
    if (r.missingInputs) throw new RpcError(RPC_CODES.VERIFY_ERROR, r.reason);
    if (r.reason === 'max-fee-exceeded') throw new RpcError(RPC_CODES.VERIFY_ERROR, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)');
    if (r.reason === 'txn-already-known') throw new RpcError(RPC_CODES.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set');
    throw new RpcError(RPC_CODES.VERIFY_REJECTED, rejectString(r));
  });
  def('testmempoolaccept', ['rawtxs', 'maxfeerate'], 1, 'Returns result of mempool acceptance tests indicating if raw transactions would be accepted by mempool.', (p) => {
    const txs = decodePackage(p);
    const maxFee = maxFeeRate(p, 1);
    if (txs.length === 1) {
      const t = txs[0];
      const base = { txid: hashToHexString(t.txid), wtxid: hashToHexString(t.wtxid) };
      const r = chain.acceptTx(t, { testOnly: true, maxFeeRatePerKvb: maxFee });
      if (r.ok) return [{ ...base, allowed: true, vsize: r.vsize, fees: feesJson(r.fee, r.vsize, [t]) }];
      return [{ ...base, allowed: false, 'reject-reason': r.missingInputs ? 'missing-inputs' : r.reason }];
    }
    const res = chain.submitPackage(txs, { testOnly: true, maxFeeRatePerKvb: maxFee });
    return res.results.map((r) => {
      const base: Record<string, unknown> = { txid: hashToHexString(r.txd.txid), wtxid: hashToHexString(r.txd.wtxid) };
      if (res.packageError) base['package-error'] = res.packageError;
      if (r.ok && !res.packageError) return { ...base, allowed: true, vsize: r.vsize, fees: feesJson(r.fee ?? 0n, r.vsize ?? 1, r.effectiveIncludes ?? [r.txd], r.effectiveFeeRatePerKvb) };
      return r.error ? { ...base, allowed: false, 'reject-reason': r.error.split(',')[0] } : base;
    });
  });
  def('submitpackage', ['package', 'maxfeerate', 'maxburnamount'], 1, 'Submit a package of raw transactions (child with its unconfirmed parents) to the mempool.', (p) => {
    const txs = decodePackage(p);
    const maxFee = maxFeeRate(p, 1);
    const maxBurn = p.amount(2, 0n);
    for (const t of txs) checkBurn(t, maxBurn);
    if (txs.length > 1) {
      const child = txs[txs.length - 1];
      const spent = new Set(child.tx.inputs.map((i) => txidKey(i.txid)));
      const parentKeys = new Set(txs.slice(0, -1).map((t) => txidKey(t.txid)));
      const ok = txs.slice(0, -1).every((t) => spent.has(txidKey(t.txid)) && !t.tx.inputs.some((i) => parentKeys.has(txidKey(i.txid))));
      if (!ok) throw new RpcError(RPC_CODES.VERIFY_ERROR, 'package topology disallowed. not child-with-parents or parents depend on each other.');
    }
    const res = chain.submitPackage(txs, { maxFeeRatePerKvb: maxFee });
    const results: Record<string, unknown> = {};
    for (const r of res.results) {
      const k = hashToHexString(r.txd.wtxid);
      if (r.ok) results[k] = { txid: hashToHexString(r.txd.txid), vsize: r.vsize, fees: feesJson(r.fee ?? 0n, r.vsize ?? 1, r.effectiveIncludes ?? [r.txd], r.effectiveFeeRatePerKvb) };
      else results[k] = { txid: hashToHexString(r.txd.txid), error: r.error ?? 'package-not-validated' };
    }
    return { package_msg: res.packageError ?? 'success', 'tx-results': results, 'replaced-transactions': res.replaced.map((e) => hashToHexString(e.txd.txid)) };
  });
  def('estimatesmartfee', ['conf_target', 'estimate_mode'], 1, 'Estimates the approximate fee per kilobyte needed for a transaction to begin confirmation within conf_target blocks.', (p) => {
    const target = p.int(0);
    if (target < 1 || target > 1008) throw new RpcError(RPC_CODES.INVALID_PARAMETER, 'Invalid conf_target, must be between 1 and 1008');
    const mode = p.string(1, 'conservative').toLowerCase();
    if (!['unset', 'economical', 'conservative'].includes(mode)) throw new RpcError(RPC_CODES.INVALID_PARAMETER, 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
    const rate = chain.estimateFee(target);
    const blocks = Math.max(2, target);
    if (rate === null) return { errors: ['Insufficient data or no feerate found'], blocks: 0 };
    return { feerate: btc(rate), blocks };
  });
  def('generatetoaddress', ['nblocks', 'address', 'maxtries'], 2, 'Mine blocks immediately to a specified address.', (p) => {
    const n = p.int(0);
    const script = scriptForAddress(p.string(1));
    return mine(n, script);
  });
  def('generatetodescriptor', ['num_blocks', 'descriptor', 'maxtries'], 2, 'Mine blocks immediately to a specified descriptor (addr() and raw() only).', (p) => {
    const n = p.int(0);
    return mine(n, scriptForOutput(p.string(1)));
  });
  const mine = (n: number, script: Uint8Array): string[] => {
    if (n < 0) throw new RpcError(RPC_CODES.INVALID_PARAMETER, 'nblocks must be non-negative');
    try {
      return chain.generate(n, script).map(hashToHexString);
    } catch (e) {
      if (e instanceof ValidationError) throw new RpcError(RPC_CODES.VERIFY_ERROR, `generate failed: ${e.message}`);
      throw e;
    }
  };
  def('generateblock', ['output', 'transactions', 'submit'], 2, 'Mine a set of ordered transactions to a specified address or descriptor.', (p) => {
    const script = scriptForOutput(p.string(0));
    const txs = p.array(1).map((x) => {
      if (typeof x !== 'string') throw new RpcError(RPC_CODES.TYPE_ERROR, 'Expected transaction ids or raw transactions as strings');
      if (/^[0-9a-fA-F]{64}$/.test(x)) {
        const e = chain.mempool.get(hexToHash(x));
        if (!e) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, `Transaction ${x} not in mempool.`);
        return e.txd;
      }
      return decodeTx(x, `Transaction decode failed for ${x}. Make sure the tx has at least one input.`);
    });
    const submit = p.bool(2, true);
    try {
      const b = chain.generateBlock(script, txs, submit);
      const hash = hashToHexString(headerHash(b.header));
      return submit ? { hash } : { hash, hex: toHex(serializeBlock(b)) };
    } catch (e) {
      if (e instanceof ValidationError) throw new RpcError(RPC_CODES.VERIFY_ERROR, `TestBlockValidity failed: ${e.message}`);
      throw e;
    }
  });
  def('submitblock', ['hexdata', 'dummy'], 1, 'Attempts to submit new block to network.', (p) => {
    let block;
    try {
      block = parseBlock(p.hex(0, 'Block'));
    } catch {
      throw new RpcError(RPC_CODES.DESERIALIZATION_ERROR, 'Block decode failed');
    }
    return chain.submitBlock(block);
  });
  def('invalidateblock', ['blockhash'], 1, 'Permanently marks a block as invalid, as if it violated a consensus rule.', (p) => {
    const e = blockByHash(p.hash(0));
    try {
      chain.invalidateBlock(e.hash);
    } catch (err) {
      if (err instanceof ValidationError) throw new RpcError(RPC_DATABASE_ERROR, err.message);
      throw err;
    }
    return null;
  });
  def('reconsiderblock', ['blockhash'], 1, 'Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.', (p) => {
    const e = blockByHash(p.hash(0));
    chain.reconsiderBlock(e.hash);
    return null;
  });
  def('setmocktime', ['timestamp'], 1, 'Set the local time to given timestamp (0 returns to the system clock).', (p) => {
    const t = p.int(0);
    if (t < 0) throw new RpcError(RPC_CODES.INVALID_PARAMETER, `Mocktime cannot be negative: ${t}.`);
    chain.setMockTime(t);
    return null;
  });
  def('getmininginfo', [], 0, 'Returns a json object containing mining-related information.', () => ({
    blocks: chain.height,
    difficulty: difficulty(chain.tip.block.header.bits),
    networkhashps: 0,
    pooledtx: chain.mempool.size,
    chain: 'regtest',
    warnings: [],
  }));
  def('validateaddress', ['address'], 1, 'Return information about the given bitcoin address.', (p) => {
    const a = p.string(0);
    let script: Uint8Array;
    try {
      script = addressToScript(a, 'regtest');
    } catch (e) {
      return { isvalid: false, error: (e as Error).message };
    }
    const out: Record<string, unknown> = { isvalid: true, address: scriptToAddress(script, 'regtest') ?? a, scriptPubKey: toHex(script), isscript: script[0] === 0xa9 || (script[0] === 0 && script.length === 34), iswitness: script[0] === 0 || (script[0] >= 0x51 && script[0] <= 0x60) };
    if (out.iswitness) {
      out.witness_version = script[0] === 0 ? 0 : script[0] - 0x50;
      out.witness_program = toHex(script.subarray(2));
    }
    return out;
  });
  def('getzmqnotifications', [], 0, 'Returns information about the active ZeroMQ notifications (none).', () => []);
  def('getindexinfo', ['index_name'], 0, 'Returns the status of indices (the transaction index is always on).', () => ({ txindex: { synced: true, best_block_height: chain.height } }));
  def('uptime', [], 0, 'Returns the total uptime of the server.', () => Math.max(0, clock() - started));
  def('stop', ['wait'], 0, 'Request a graceful shutdown of the server.', () => {
    if (opts.onStop) setImmediate(opts.onStop);
    return 'Bitcoin Core stopping';
  });
  def('kite_faucet', ['address', 'amount'], 2, 'kite-chain only: pay amount (BTC) to address from the chain-owned faucet; returns the txid. Mine a block to confirm it.', (p) => {
    const script = scriptForAddress(p.string(0), 'Invalid address');
    const amount = p.amount(1);
    try {
      return hashToHexString(faucetPay(chain, script, amount).txid);
    } catch (e) {
      if (e instanceof KiteError) throw new RpcError(e.code, e.message);
      throw e;
    }
  });
  def('kite_mine', ['nblocks', 'address'], 1, 'kite-chain only: mine nblocks (to address, default the faucet); returns the block hashes.', (p) => {
    const n = p.int(0);
    const script = p.has(1) ? scriptForAddress(p.string(1)) : FAUCET_SCRIPT;
    return mine(n, script);
  });
  def('kite_faucetinfo', [], 0, 'kite-chain only: the faucet address and its spendable balance (BTC).', () => ({
    address: scriptToAddress(FAUCET_SCRIPT, 'regtest'),
    balance: btc(faucetBalance(chain)),
  }));
  def('help', ['command'], 0, 'List all commands, or get help for a specified command.', (p) => {
    if (p.has(0)) {
      const name = p.string(0);
      const x = m[name];
      if (!x) return `help: unknown command: ${name}`;
      return `${name} ${x.params.map((n, i) => (i < x.required ? n : `( ${n} )`)).join(' ')}\n\n${x.help}`;
    }
    return Object.keys(m)
      .sort()
      .map((k) => `${k} ${m[k].params.map((n, i) => (i < m[k].required ? n : `( ${n} )`)).join(' ')}`.trim())
      .join('\n');
  });
  return m;
}


/**
 * createChainRpc returns an RpcCall bound to a chain: positional params, Bitcoin Core
 * results and RpcError(code, message) failures, exactly as bitcoind's JSON-RPC would give.
 */
export function createChainRpc(chain: RegtestChain, opts: ChainRpcOptions = {}): RpcCall {
  const methods = chainRpcMethods(chain, opts);
  return async (method, params) => callMethod(methods, method, params);
}

/** callMethod dispatches one call; params may be positional or named (an object). */
export function callMethod(methods: Record<string, Method>, method: string, params: unknown): unknown {
  const def = Object.prototype.hasOwnProperty.call(methods, method) ? methods[method] : undefined;
  if (!def) throw new RpcError(RPC_CODES.METHOD_NOT_FOUND, 'Method not found');
  let positional: unknown[];
  if (params === undefined || params === null) positional = [];
  else if (Array.isArray(params)) positional = params;
  else if (typeof params === 'object') {
    const named = params as Record<string, unknown>;
    for (const k of Object.keys(named)) {
      if (!def.params.includes(k)) throw new RpcError(RPC_CODES.INVALID_PARAMETER, `Unknown named parameter ${k}`);
    }
    positional = def.params.map((n) => named[n]);
    while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  } else throw new RpcError(RPC_CODES.INVALID_REQUEST, 'Params must be an array or object');
  try {
    return def.fn(new Params(method, def.params, positional, def.required));
  } catch (e) {
    if (e instanceof RpcError) throw e;
    if (e instanceof KiteError) throw new RpcError(e.code, e.message);
    if (e instanceof ValidationError) throw new RpcError(RPC_CODES.VERIFY_ERROR, e.message);
    throw new RpcError(-32603, `Internal error: ${(e as Error).message}`);
  }
}

