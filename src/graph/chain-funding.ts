/**
 * chainFundingLookup: the gossip FundingLookup over a ChainSource (bitcoind, kite-chain or
 * the embedded chain): block at the short_channel_id's height, its transaction at the
 * index, the output, and whether it is still unspent.
 */
import { scidParts, sat, type ShortChannelId } from '../lib/index.ts';
import { txid } from '../bitcoin/index.ts';
import type { ChainSource } from '../chain/interfaces.ts';
import type { FundingLookup, FundingOutputInfo } from '../gossip/index.ts';

/** chainFundingLookup builds a FundingLookup reading `chain`. */
export function chainFundingLookup(chain: ChainSource): FundingLookup {
  return {
    async lookupFunding(scid: ShortChannelId): Promise<FundingOutputInfo | null> {
      const { block, tx: txIndex, out } = scidParts(scid);
      const tip = await chain.getTip();
      if (block > tip.height) return null;
      const hash = await chain.getBlockHash(block);
      if (!hash) return null;
      const b = await chain.getBlock(hash);
      const tx = b?.txs[txIndex];
      const o = tx?.outputs[out];
      if (!tx || !o) return null;
      const utxo = await chain.getUtxo({ txid: txid(tx), vout: out }, false);
      return { script: o.script, value: sat(o.value), confirmations: tip.height - block + 1, spent: utxo === null };
    },
  };
}
