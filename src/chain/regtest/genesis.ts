/**
 * The regtest genesis block, rebuilt from its published parameters (Bitcoin Core's
 * CreateGenesisBlock with nTime 1296688602, nNonce 2, nBits 0x207fffff, version 1, 50 BTC).
 * Its hash must be 0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206.
 */
import { fromHex } from '../../lib/index.ts';
import type { Tx } from '../../bitcoin/index.ts';
import { blockMerkleRoot, type Block } from './block.ts';
import { txDataFromTx } from './tx-data.ts';
import { REGTEST } from './params.ts';

/** The genesis coinbase's scriptSig: nBits 486604799, push 4, and The Times headline of 2009-01-03. */
const GENESIS_SCRIPTSIG =
  '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73';
/** The genesis output: a pay-to-pubkey script (unspendable: genesis outputs never enter the UTXO set). */
const GENESIS_OUTPUT_SCRIPT =
  '4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac';

/** regtestGenesisBlock builds the regtest genesis block. */
export function regtestGenesisBlock(): Block {
  const coinbase: Tx = {
    version: 1,
    inputs: [{ txid: new Uint8Array(32), vout: 0xffffffff, scriptSig: fromHex(GENESIS_SCRIPTSIG), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 50n * 100_000_000n, script: fromHex(GENESIS_OUTPUT_SCRIPT) }],
    locktime: 0,
  };
  const txs = [txDataFromTx(coinbase)];
  return {
    header: { version: 1, prevHash: new Uint8Array(32), merkleRoot: blockMerkleRoot(txs).root, time: 1296688602, bits: REGTEST.powLimitBits, nonce: 2 },
    txs,
  };
}
