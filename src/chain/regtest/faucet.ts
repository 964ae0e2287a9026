/**
 * The chain's own faucet for demos and tests: a fixed, publicly known regtest key (it guards
 * play money only) whose P2WPKH output receives coinbase rewards, and which pays any script
 * on request from its mature coins (kite_faucet).
 */
import { KiteError, utf8 } from '../../lib/index.ts';
import { getPublicKey, hash160, sha256, signEcdsa, signatureToDer } from '../../crypto/index.ts';
import type { Tx } from '../../bitcoin/index.ts';
import type { RegtestChain } from './chain.ts';
import { outpointKey, parseOutpointKey } from './encoding.ts';
import { p2wpkhSighashAll, precomputeBip143 } from './fast-verify.ts';
import { rejectString } from './mempool-accept.ts';
import { REGTEST } from './params.ts';
import { txDataFromTx, type TxData } from './tx-data.ts';
import { RPC_CODES } from '../rpc-types.ts';

/** The faucet's private key: sha256("kite-chain regtest faucet"). Regtest only. */
export const FAUCET_PRIVATE_KEY = sha256(utf8('kite-chain regtest faucet'));
const FAUCET_PUBKEY = getPublicKey(FAUCET_PRIVATE_KEY, true);
const FAUCET_KEYHASH = hash160(FAUCET_PUBKEY);
/** The faucet's output script: P2WPKH of its key. */
export const FAUCET_SCRIPT = Uint8Array.of(0x00, 0x14, ...FAUCET_KEYHASH);

/** Fee rate the faucet pays, sat/vB. */
const FAUCET_FEERATE = 2n;

interface FaucetCoin {
  txid: Uint8Array;
  vout: number;
  value: bigint;
  confirmed: boolean;
}

function sameScript(a: Uint8Array): boolean {
  if (a.length !== 22) return false;
  for (let i = 0; i < 22; i++) if (a[i] !== FAUCET_SCRIPT[i]) return false;
  return true;
}

/** faucetCoins lists spendable faucet coins: mature confirmed ones, then unconfirmed change, none spent in the mempool. */
export function faucetCoins(chain: RegtestChain): FaucetCoin[] {
  const out: FaucetCoin[] = [];
  const nextHeight = chain.height + 1;
  for (const [key, coin] of chain.utxo.entries()) {
    if (!sameScript(coin.script)) continue;
    if (coin.coinbase && nextHeight - coin.height < REGTEST.coinbaseMaturity) continue;
    if (chain.mempool.spender(key)) continue;
    const { txid, vout } = parseOutpointKey(key);
    out.push({ txid, vout, value: coin.value, confirmed: true });
  }
  for (const e of chain.mempool.entries.values()) {
    e.txd.tx.outputs.forEach((o, vout) => {
      if (!sameScript(o.script)) return;
      const key = outpointKey(e.txd.txid, vout);
      if (chain.mempool.spender(key)) return;
      out.push({ txid: e.txd.txid, vout, value: o.value, confirmed: false });
    });
  }
  return out;
}

/** faucetBalance sums faucetCoins. */
export function faucetBalance(chain: RegtestChain): bigint {
  return faucetCoins(chain).reduce((s, c) => s + c.value, 0n);
}

/**
 * faucetPay sends `amount` satoshis to `script` from the faucet, with change back to the
 * faucet, and puts the transaction in the mempool. Throws KiteError when the faucet cannot.
 */
export function faucetPay(chain: RegtestChain, script: Uint8Array, amount: bigint): TxData {
  if (amount <= 0n) throw new KiteError(RPC_CODES.TYPE_ERROR, 'Amount must be positive');
  const coins = faucetCoins(chain).sort((a, b) => (a.confirmed !== b.confirmed ? (a.confirmed ? -1 : 1) : a.value > b.value ? -1 : a.value < b.value ? 1 : 0));
  const chosen: FaucetCoin[] = [];
  let total = 0n;
  const outSize = (s: Uint8Array): number => 9 + s.length;
  const estimate = (nIn: number): bigint => FAUCET_FEERATE * BigInt(11 + 68 * nIn + outSize(script) + outSize(FAUCET_SCRIPT));
  for (const c of coins) {
    if (total >= amount + estimate(chosen.length)) break;
    chosen.push(c);
    total += c.value;
  }
  const fee = estimate(chosen.length);
  if (total < amount + fee) throw new KiteError(RPC_CODES.MISC_ERROR, `Faucet has insufficient funds (${total} sat spendable); mine blocks to it first (kite_mine)`);
  const change = total - amount - fee;
  const tx: Tx = {
    version: 2,
    inputs: chosen.map((c) => ({ txid: c.txid, vout: c.vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] })),
    outputs: [{ value: amount, script }],
    locktime: 0,
  };
  if (change >= 1000n) tx.outputs.push({ value: change, script: FAUCET_SCRIPT });
  const pre = precomputeBip143(tx);
  chosen.forEach((c, i) => {
    const digest = p2wpkhSighashAll(tx, pre, i, FAUCET_KEYHASH, c.value);
    const sig = signatureToDer(signEcdsa(digest, FAUCET_PRIVATE_KEY));
    tx.inputs[i].witness = [Uint8Array.of(...sig, 0x01), FAUCET_PUBKEY];
  });
  const txd = txDataFromTx(tx);
  const r = chain.acceptTx(txd);
  if (!r.ok) throw new KiteError(RPC_CODES.VERIFY_REJECTED, `faucet transaction rejected: ${rejectString(r)}`);
  return txd;
}

/** ensureFaucetFunds mines blocks to the faucet until it has mature coins (101 on an empty chain). */
export function ensureFaucetFunds(chain: RegtestChain, blocks = 101): void {
  if (chain.height === 0) chain.generate(blocks, FAUCET_SCRIPT);
}
