/**
 * Consensus and policy parameters of the embedded regtest chain, with the values Bitcoin
 * Core uses for `-regtest` (chainparams.cpp, consensus/consensus.h, policy/policy.h).
 */

/** Regtest consensus parameters (Bitcoin Core's CRegTestParams). */
export const REGTEST = {
  /** Proof-of-work limit in compact form; regtest never retargets (fPowNoRetargeting). */
  powLimitBits: 0x207fffff,
  /** Subsidy halves every 150 blocks on regtest (nSubsidyHalvingInterval = 150). */
  halvingInterval: 150,
  /** Initial block subsidy: 50 BTC. */
  initialSubsidy: 50n * 100_000_000n,
  /** A coinbase output can be spent only after 100 confirmations (COINBASE_MATURITY). */
  coinbaseMaturity: 100,
  /** BIP34 (height in coinbase), BIP65, BIP66, CSV and segwit are active from these heights. */
  bip34Height: 1,
  bip65Height: 1,
  bip66Height: 1,
  csvHeight: 1,
  segwitHeight: 0,
  /** Blocks may not be more than 2 hours ahead of the node's clock (MAX_FUTURE_BLOCK_TIME). */
  maxFutureBlockTime: 2 * 60 * 60,
  /** Default RPC port of regtest bitcoind. */
  rpcPort: 18443,
} as const;

/** Consensus limits (consensus/consensus.h). */
export const LIMITS = {
  /** BIP141: "Blocks are limited to 4,000,000 weight units". */
  maxBlockWeight: 4_000_000,
  maxBlockSigopsCost: 80_000,
  witnessScaleFactor: 4,
  /** MAX_MONEY: 21 million BTC in satoshis. */
  maxMoney: 21_000_000n * 100_000_000n,
  /** Locktimes below this are block heights, at or above it Unix times (LOCKTIME_THRESHOLD). */
  locktimeThreshold: 500_000_000,
  /** Coinbase scriptSig length must be within [2, 100] bytes. */
  minCoinbaseScriptSize: 2,
  maxCoinbaseScriptSize: 100,
} as const;

/**
 * Mempool policy defaults of Bitcoin Core 30 (policy/policy.h, policy/rbf.h,
 * policy/ephemeral_policy.h, kernel/mempool_limits.h): the minimum and incremental relay
 * feerates are 100 sat/kvB (0.1 sat/vB, lowered in 29.1/30), OP_RETURN outputs share one
 * 100 000-byte data-carrier budget (any number of them, v30), and one dust output is
 * allowed in a zero-fee transaction whose child spends it (ephemeral dust, v29).
 */
export const POLICY = {
  /** -minrelaytxfee: 100 sat/kvB (DEFAULT_MIN_RELAY_TX_FEE, Core 30). */
  minRelayFeePerKvb: 100n,
  /** -incrementalrelayfee: 100 sat/kvB (DEFAULT_INCREMENTAL_RELAY_FEE, Core 30; BIP125 rule 4). */
  incrementalRelayFeePerKvb: 100n,
  /** -dustrelayfee: 3000 sat/kvB (DUST_RELAY_TX_FEE). */
  dustRelayFeePerKvb: 3000n,
  /** MAX_STANDARD_TX_WEIGHT. */
  maxStandardTxWeight: 400_000,
  /** MIN_STANDARD_TX_NONWITNESS_SIZE. */
  minStandardTxNonWitnessSize: 65,
  /** MAX_STANDARD_SCRIPTSIG_SIZE. */
  maxStandardScriptSigSize: 1650,
  /** Transaction versions relayed (TX_MIN_STANDARD_VERSION..TX_MAX_STANDARD_VERSION; 3 = TRUC). */
  minStandardVersion: 1,
  maxStandardVersion: 3,
  /**
   * MAX_OP_RETURN_RELAY (-datacarriersize, Core 30): 100 000 bytes of OP_RETURN scriptPubKeys
   * in total per transaction (MAX_STANDARD_TX_WEIGHT / WITNESS_SCALE_FACTOR), any number of outputs.
   */
  maxOpReturnRelay: 100_000,
  /** MAX_DUST_OUTPUTS_PER_TX: one dust output, only in a zero-fee transaction (ephemeral dust). */
  maxDustOutputsPerTx: 1,
  /** MAX_TX_LEGACY_SIGOPS (Core 30, BIP54 as policy): legacy sigops of a transaction's inputs. */
  maxTxLegacySigops: 2500,
  /** P2WSH policy limits (MAX_STANDARD_P2WSH_SCRIPT_SIZE, _STACK_ITEMS, _STACK_ITEM_SIZE). */
  maxP2wshScriptSize: 3600,
  maxP2wshStackItems: 100,
  maxP2wshStackItemSize: 80,
  /** MAX_P2SH_SIGOPS. */
  maxP2shSigops: 15,
  /** MAX_STANDARD_TX_SIGOPS_COST. */
  maxStandardTxSigopsCost: 16_000,
  /** -limitancestorcount / -limitdescendantcount and their sizes (101 kvB). */
  ancestorLimit: 25,
  descendantLimit: 25,
  ancestorSizeLimitVb: 101_000,
  descendantSizeLimitVb: 101_000,
  /** BIP125 rule 5: at most this many transactions evicted by one replacement. */
  maxReplacementCandidates: 100,
  /** -maxmempool in bytes (reported only). */
  maxMempoolBytes: 300_000_000,
  /** Default maxfeerate of sendrawtransaction/testmempoolaccept: 0.10 BTC/kvB. */
  defaultMaxFeeRatePerKvb: 10_000_000n,
  /** TRUC (BIP431) limits for version 3 transactions. */
  trucMaxVsize: 10_000,
  trucChildMaxVsize: 1_000,
  /** MAX_PACKAGE_COUNT and MAX_PACKAGE_WEIGHT. */
  maxPackageCount: 25,
  maxPackageWeight: 404_000,
} as const;

/** COIN: satoshis in one bitcoin. */
export const COIN = 100_000_000n;

/** blockSubsidy is the new-coin reward at `height` (GetBlockSubsidy): 50 BTC halved every 150 blocks. */
export function blockSubsidy(height: number): bigint {
  const halvings = Math.floor(height / REGTEST.halvingInterval);
  if (halvings >= 64) return 0n;
  return REGTEST.initialSubsidy >> BigInt(halvings);
}

/** The hash of the regtest genesis block, in display order. */
export const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
