/**
 * A small in-memory chain answering the Bitcoin Core RPCs that BitcoindBackend uses, with
 * Core's result shapes and error codes. It is a test double for backend, watcher and wallet
 * tests: blocks are not mined with proof of work and only P2WPKH inputs are checked (BIP143
 * signatures), but spends, double spends, replacement (higher fee) and reorgs are real.
 */
import { p2pkhScript, parseTx, segwitV0SigHash, serializeTx, txid as computeTxid, txWeight, type Tx, type TxOut } from '../../src/bitcoin/index.ts';
import { hash160, sha256d, signatureFromDer, verifyEcdsa } from '../../src/crypto/index.ts';
import { concatBytes, equalBytes, fromHex, reverseBytes, toHex } from '../../src/lib/index.ts';
import { RPC_CODES, RpcError, type RpcCall } from '../../src/chain/rpc-types.ts';

interface FakeBlock {
  hash: Uint8Array;
  header: Uint8Array;
  height: number;
  prev: Uint8Array;
  time: number;
  txs: Tx[];
}

const hex = (h: Uint8Array): string => toHex(reverseBytes(h));
const unhex = (s: string): Uint8Array => reverseBytes(fromHex(s));
const u32le = (n: number): Uint8Array => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
const compact = (n: number): Uint8Array => (n < 0xfd ? Uint8Array.of(n) : Uint8Array.of(0xfd, n & 255, n >> 8));

/** FakeChain: see the file comment. */
export class FakeChain {
  readonly blocks = new Map<string, FakeBlock>();
  active: FakeBlock[] = [];
  readonly mempool = new Map<string, Tx>();
  /** estimatesmartfee answer in BTC/kvB, or null for "Insufficient data or no feerate found". */
  feerateBtcPerKvb: number | null = 0.0002;
  time = 1_700_000_000;
  calls: string[] = [];
  private nonce = 0;

  constructor() {
    this.mine(1, new Uint8Array([0x51]));
  }

  get tip(): FakeBlock {
    return this.active[this.active.length - 1];
  }

  /** mine appends n blocks paying 50 BTC to `script`; the first takes the whole mempool. */
  mine(n: number, script: Uint8Array, opts: { includeMempool?: boolean; only?: Tx[] } = {}): FakeBlock[] {
    const out: FakeBlock[] = [];
    for (let i = 0; i < n; i++) {
      const height = this.active.length;
      const take = i === 0 ? (opts.only ?? (opts.includeMempool === false ? [] : this.orderedMempool())) : [];
      const coinbase: Tx = {
        version: 2,
        inputs: [{ txid: new Uint8Array(32), vout: 0xffffffff, scriptSig: concatBytes(u32le(height), u32le(this.nonce++)), sequence: 0xffffffff, witness: [] }],
        outputs: [{ value: 50_0000_0000n, script }],
        locktime: 0,
      };
      const txs = [coinbase, ...take];
      const prev = height === 0 ? new Uint8Array(32) : this.tip.hash;
      this.time += 600;
      const merkle = sha256d(concatBytes(...txs.map((t) => computeTxid(t))));
      const header = concatBytes(u32le(0x20000000), prev, merkle, u32le(this.time), u32le(0x207fffff), u32le(this.nonce++));
      const block: FakeBlock = { hash: sha256d(header), header, height, prev, time: this.time, txs };
      this.blocks.set(hex(block.hash), block);
      this.active.push(block);
      for (const t of take) this.mempool.delete(hex(computeTxid(t)));
      this.dropConflicted();
      out.push(block);
    }
    return out;
  }

  /** invalidate disconnects the block at `height` and above; their txs go back to the mempool. */
  invalidate(height: number): void {
    const removed = this.active.splice(height);
    for (const b of removed) for (const t of b.txs.slice(1)) this.mempool.set(hex(computeTxid(t)), t);
    this.dropConflicted();
  }

  /** reactivate makes a known block (and its ancestors) the active chain again. */
  reactivate(hash: Uint8Array): void {
    const chain: FakeBlock[] = [];
    for (let b = this.blocks.get(hex(hash)); b; b = b.height === 0 ? undefined : this.blocks.get(hex(b.prev))) chain.unshift(b);
    const fork = chain.findIndex((b, i) => !this.active[i] || !equalBytes(this.active[i].hash, b.hash));
    if (fork >= 0) this.invalidate(fork);
    for (const b of chain.slice(this.active.length)) {
      this.active.push(b);
      for (const t of b.txs) this.mempool.delete(hex(computeTxid(t)));
    }
    this.dropConflicted();
  }

  private orderedMempool(): Tx[] {
    const txs = [...this.mempool.values()];
    const ids = new Set(txs.map((t) => hex(computeTxid(t))));
    const done = new Set<string>();
    const out: Tx[] = [];
    while (out.length < txs.length) {
      for (const t of txs) {
        const id = hex(computeTxid(t));
        if (done.has(id)) continue;
        if (t.inputs.every((i) => !ids.has(hex(i.txid)) || done.has(hex(i.txid)))) {
          out.push(t);
          done.add(id);
        }
      }
    }
    return out;
  }

  /** confirmedUtxos maps "txid:vout" to outputs unspent on the active chain. */
  private confirmedUtxos(): Map<string, { out: TxOut; height: number; coinbase: boolean }> {
    const m = new Map<string, { out: TxOut; height: number; coinbase: boolean }>();
    for (const b of this.active) {
      b.txs.forEach((t, ti) => {
        if (ti > 0) for (const i of t.inputs) m.delete(`${hex(i.txid)}:${i.vout}`);
        const id = hex(computeTxid(t));
        t.outputs.forEach((o, v) => m.set(`${id}:${v}`, { out: o, height: b.height, coinbase: ti === 0 }));
      });
    }
    return m;
  }

  private dropConflicted(): void {
    for (let changed = true; changed; ) {
      changed = false;
      const utxos = this.confirmedUtxos();
      for (const [id, t] of this.mempool) {
        const ok = t.inputs.every((i) => {
          const k = `${hex(i.txid)}:${i.vout}`;
          return utxos.has(k) || (this.mempool.has(hex(i.txid)) && this.mempool.get(hex(i.txid))!.outputs[i.vout] !== undefined);
        });
        if (!ok) {
          this.mempool.delete(id);
          changed = true;
        }
      }
    }
  }

  private prevout(k: string): TxOut | undefined {
    const c = this.confirmedUtxos().get(k);
    if (c) return c.out;
    const [id, v] = k.split(':');
    return this.mempool.get(id)?.outputs[Number(v)];
  }

  /** fee of a mempool-acceptable tx, or throws RpcError with Core's reasons. */
  private check(tx: Tx, extra: Map<string, Tx> = new Map()): { fee: bigint; conflicts: string[] } {
    const id = hex(computeTxid(tx));
    if (this.mempool.has(id)) throw new RpcError(RPC_CODES.VERIFY_ALREADY_IN_CHAIN, 'txn-already-known');
    for (const b of this.active) for (const t of b.txs) if (hex(computeTxid(t)) === id) throw new RpcError(RPC_CODES.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set');
    let inValue = 0n;
    const conflicts = new Set<string>();
    tx.inputs.forEach((inp, i) => {
      const k = `${hex(inp.txid)}:${inp.vout}`;
      const prev = this.prevout(k) ?? extra.get(hex(inp.txid))?.outputs[inp.vout];
      if (!prev) throw new RpcError(RPC_CODES.VERIFY_REJECTED, 'bad-txns-inputs-missingorspent');
      for (const [mid, mt] of this.mempool) if (mt.inputs.some((x) => `${hex(x.txid)}:${x.vout}` === k)) conflicts.add(mid);
      if (prev.script.length === 22 && prev.script[0] === 0) {
        const [sig, pub] = inp.witness;
        const ok =
          sig &&
          pub &&
          equalBytes(hash160(pub), prev.script.subarray(2)) &&
          sig[sig.length - 1] === 1 &&
          (() => {
            const compact = signatureFromDer(sig.subarray(0, sig.length - 1));
            return compact !== null && verifyEcdsa(compact, segwitV0SigHash(tx, i, p2pkhScript(hash160(pub)), prev.value, 1), pub);
          })();
        if (!ok) throw new RpcError(RPC_CODES.VERIFY_REJECTED, 'mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)');
      }
      inValue += prev.value;
    });
    const fee = inValue - tx.outputs.reduce((a, o) => a + o.value, 0n);
    if (fee < 0n) throw new RpcError(RPC_CODES.VERIFY_REJECTED, 'bad-txns-in-belowout');
    return { fee, conflicts: [...conflicts] };
  }

  private feeOfMempool(t: Tx): bigint {
    let v = 0n;
    for (const i of t.inputs) v += this.prevout(`${hex(i.txid)}:${i.vout}`)?.value ?? 0n;
    return v - t.outputs.reduce((a, o) => a + o.value, 0n);
  }

  /** accept adds a tx to the mempool with min-relay and replacement rules (simplified BIP125). */
  accept(tx: Tx, minFeeCheck = true): void {
    const { fee, conflicts } = this.check(tx);
    const vsize = Math.ceil(txWeight(tx) / 4);
    if (minFeeCheck && fee < BigInt(vsize)) throw new RpcError(RPC_CODES.VERIFY_REJECTED, `min relay fee not met, ${fee} < ${vsize}`);
    if (conflicts.length > 0) {
      const oldFee = conflicts.reduce((a, c) => a + this.feeOfMempool(this.mempool.get(c)!), 0n);
      if (fee < oldFee + BigInt(vsize)) throw new RpcError(RPC_CODES.VERIFY_REJECTED, `insufficient fee, rejecting replacement ${hex(computeTxid(tx))}`);
      for (const c of conflicts) this.mempool.delete(c);
      this.dropConflicted();
    }
    this.mempool.set(hex(computeTxid(tx)), tx);
  }

  /** rpc is the RpcCall for BitcoindBackend. */
  readonly rpc: RpcCall = async (method, params) => {
    this.calls.push(method);
    const p = params;
    switch (method) {
      case 'getblockchaininfo':
        return { chain: 'regtest', blocks: this.tip.height, headers: this.tip.height, bestblockhash: hex(this.tip.hash), mediantime: this.tip.time };
      case 'getblockcount':
        return this.tip.height;
      case 'getblockhash': {
        const b = this.active[p[0] as number];
        if (!b) throw new RpcError(RPC_CODES.INVALID_PARAMETER, 'Block height out of range');
        return hex(b.hash);
      }
      case 'getblockheader': {
        const b = this.blocks.get(p[0] as string);
        if (!b) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
        const onChain = this.active[b.height] === b;
        const r: Record<string, unknown> = { hash: hex(b.hash), confirmations: onChain ? this.tip.height - b.height + 1 : -1, height: b.height, time: b.time, mediantime: b.time };
        if (b.height > 0) r.previousblockhash = hex(b.prev);
        return r;
      }
      case 'getblock': {
        const b = this.blocks.get(p[0] as string);
        if (!b) throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'Block not found');
        return toHex(concatBytes(b.header, compact(b.txs.length), ...b.txs.map((t) => serializeTx(t))));
      }
      case 'getrawtransaction': {
        const id = p[0] as string;
        const m = this.mempool.get(id);
        if (m) return { txid: id, hex: toHex(serializeTx(m)) };
        for (const b of this.active) {
          for (const t of b.txs) {
            if (hex(computeTxid(t)) === id) return { txid: id, hex: toHex(serializeTx(t)), blockhash: hex(b.hash), confirmations: this.tip.height - b.height + 1 };
          }
        }
        throw new RpcError(RPC_CODES.INVALID_ADDRESS_OR_KEY, 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.');
      }
      case 'gettxout': {
        const k = `${p[0] as string}:${p[1] as number}`;
        const includeMempool = p[2] !== false;
        if (includeMempool) for (const t of this.mempool.values()) if (t.inputs.some((i) => `${hex(i.txid)}:${i.vout}` === k)) return null;
        const c = this.confirmedUtxos().get(k);
        if (c) return { bestblock: hex(this.tip.hash), confirmations: this.tip.height - c.height + 1, value: Number(c.out.value) / 1e8, scriptPubKey: { hex: toHex(c.out.script) }, coinbase: c.coinbase };
        const [id, v] = k.split(':');
        const m = includeMempool ? this.mempool.get(id)?.outputs[Number(v)] : undefined;
        if (m) return { bestblock: hex(this.tip.hash), confirmations: 0, value: Number(m.value) / 1e8, scriptPubKey: { hex: toHex(m.script) }, coinbase: false };
        return null;
      }
      case 'getrawmempool':
        return [...this.mempool.keys()];
      case 'estimatesmartfee':
        return this.feerateBtcPerKvb === null ? { errors: ['Insufficient data or no feerate found'], blocks: p[0] } : { feerate: this.feerateBtcPerKvb, blocks: p[0] };
      case 'sendrawtransaction': {
        let tx: Tx;
        try {
          tx = parseTx(fromHex(p[0] as string));
        } catch {
          throw new RpcError(RPC_CODES.DESERIALIZATION_ERROR, 'TX decode failed');
        }
        this.accept(tx);
        return hex(computeTxid(tx));
      }
      case 'submitpackage': {
        const txs = (p[0] as string[]).map((h) => parseTx(fromHex(h)));
        const child = txs[txs.length - 1];
        const parents = txs.slice(0, -1);
        const extra = new Map(parents.map((t) => [hex(computeTxid(t)), t]));
        const pf = parents.reduce((a, t) => a + this.check(t).fee, 0n);
        const cf = this.check(child, extra).fee;
        const w = txs.reduce((a, t) => a + txWeight(t), 0);
        if (pf + cf < BigInt(Math.ceil(w / 4))) return { package_msg: 'transaction failed', 'tx-results': { x: { txid: hex(computeTxid(child)), error: 'min relay fee not met' } }, 'replaced-transactions': [] };
        for (const t of parents) this.accept(t, false);
        this.accept(child, false);
        const res: Record<string, unknown> = {};
        for (const t of txs) res[toHex(computeTxid(t))] = { txid: hex(computeTxid(t)) };
        return { package_msg: 'success', 'tx-results': res, 'replaced-transactions': [] };
      }
      default:
        throw new RpcError(RPC_CODES.METHOD_NOT_FOUND, 'Method not found');
    }
  };
}

export { hex as hashHex, unhex };
