/**
 * BOLT #3 Appendix A expected weights, and witness-size estimates for every spend of a
 * commitment or HTLC transaction output. Estimates assume 73-byte signatures (72-byte DER
 * plus the sighash byte, the maximum), so a real witness is never larger.
 */

/** Largest DER signature plus sighash byte, as Appendix A assumes ("Signatures are 73 bytes long"). */
export const MAX_WITNESS_SIG_SIZE = 73;

/** BOLT #3: "Commitment weight (no option_anchors):   724 + 172 * num-untrimmed-htlc-outputs" */
export const COMMITMENT_BASE_WEIGHT = 724;
/**
 * BOLT #3: "Commitment weight (option_anchors):     1124 + 172 * num-untrimmed-htlc-outputs".
 * Appendix A counts the output count as 3 bytes here ("count_tx_out: 3 byte"), so a real
 * anchors commitment with every output present weighs 8 less than this.
 */
export const COMMITMENT_ANCHORS_BASE_WEIGHT = 1124;
/** Weight each untrimmed HTLC output adds to a commitment transaction (43 bytes * 4). */
export const HTLC_OUTPUT_WEIGHT = 172;
/** BOLT #3: "HTLC-timeout weight (no option_anchors): 663" */
export const HTLC_TIMEOUT_WEIGHT = 663;
/** BOLT #3: "HTLC-timeout weight (option_anchors): 666" */
export const HTLC_TIMEOUT_ANCHORS_WEIGHT = 666;
/** BOLT #3: "HTLC-success weight (no option_anchors): 703" */
export const HTLC_SUCCESS_WEIGHT = 703;
/** BOLT #3: "HTLC-success weight (option_anchors): 706" */
export const HTLC_SUCCESS_ANCHORS_WEIGHT = 706;

/** Appendix A: offered_htlc_script is 133 bytes (136 with option_anchors). */
export const OFFERED_HTLC_SCRIPT_SIZE = 133;
/** Appendix A: accepted_htlc_script is 140 bytes (143 with option_anchors), with a 4-byte cltv_expiry. */
export const ACCEPTED_HTLC_SCRIPT_SIZE = 140;
/** Extra script bytes option_anchors adds to HTLC scripts (`1 OP_CHECKSEQUENCEVERIFY OP_DROP`). */
export const ANCHORS_HTLC_SCRIPT_EXTRA = 3;
/** The 2-of-2 funding script: 71 bytes. */
export const FUNDING_SCRIPT_SIZE = 71;
/** The `to_remote` anchors script: 37 bytes. */
export const TO_REMOTE_ANCHORS_SCRIPT_SIZE = 37;
/** An anchor script: 40 bytes. */
export const ANCHOR_SCRIPT_SIZE = 40;

/**
 * commitmentWeight is the expected weight the commitment fee is computed from.
 *
 * BOLT #3: "Start with `weight` = 724 (1124 if `option_anchors` applies)." and "For each
 * committed HTLC, if that output is not trimmed [...] add 172 to `weight`."
 */
export function commitmentWeight(numUntrimmedHtlcs: number, anchors: boolean): number {
  return (anchors ? COMMITMENT_ANCHORS_BASE_WEIGHT : COMMITMENT_BASE_WEIGHT) + HTLC_OUTPUT_WEIGHT * numUntrimmedHtlcs;
}

/** htlcTimeoutWeight is the expected weight of an HTLC-timeout transaction (BOLT #3 "Fee Calculation"). */
export function htlcTimeoutWeight(anchors: boolean): number {
  return anchors ? HTLC_TIMEOUT_ANCHORS_WEIGHT : HTLC_TIMEOUT_WEIGHT;
}

/** htlcSuccessWeight is the expected weight of an HTLC-success transaction (BOLT #3 "Fee Calculation"). */
export function htlcSuccessWeight(anchors: boolean): number {
  return anchors ? HTLC_SUCCESS_ANCHORS_WEIGHT : HTLC_SUCCESS_WEIGHT;
}

function varIntSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * witnessWeight is the serialized size (= weight, witness bytes count once) of a witness
 * stack whose items have the given sizes: the item count and each item's length prefix.
 */
export function witnessWeight(itemSizes: number[]): number {
  let w = varIntSize(itemSizes.length);
  for (const s of itemSizes) w += varIntSize(s) + s;
  return w;
}

/**
 * fundingTransactionWeight is Appendix A's expected weight of a (v2) funding transaction:
 * `4 * (43 + num_inputs * 41 + num_outputs * 9 + sum(scriptlen) + 10) + 2 + sum(witness_len)`.
 */
export function fundingTransactionWeight(numInputs: number, nonFundingOutputScriptLens: number[], inputWitnessWeights: number[]): number {
  const scripts = nonFundingOutputScriptLens.reduce((a, b) => a + b, 0);
  const body = 43 + numInputs * 41 + nonFundingOutputScriptLens.length * 9 + scripts;
  return 4 * (body + 10) + 2 + inputWitnessWeights.reduce((a, b) => a + b, 0);
}

/** Witness weights (maximum, with 73-byte signatures) of every spend of a BOLT 3 output. */
export const SpendWitnessWeight = {
  /** Funding 2-of-2 (commitment or closing transaction input): `0 <sig1> <sig2> <script>` = 222. */
  funding: (): number => witnessWeight([0, MAX_WITNESS_SIG_SIZE, MAX_WITNESS_SIG_SIZE, FUNDING_SCRIPT_SIZE]),
  /** `to_local` or HTLC-tx output after the delay: `<local_delayedsig> <> <script>`. */
  toLocalDelayed: (scriptSize: number): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 0, scriptSize]),
  /** `to_local` or HTLC-tx output by revocation: `<revocation_sig> 1 <script>`. */
  toLocalRevoked: (scriptSize: number): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 1, scriptSize]),
  /** static_remotekey `to_remote` (P2WPKH): `<sig> <pubkey>` = 109. */
  toRemoteP2wpkh: (): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 33]),
  /** anchors `to_remote`: `<remote_sig> <script>`. */
  toRemoteAnchors: (): number => witnessWeight([MAX_WITNESS_SIG_SIZE, TO_REMOTE_ANCHORS_SCRIPT_SIZE]),
  /** Anchor by its owner: `<sig> <script>`. */
  anchorOwner: (): number => witnessWeight([MAX_WITNESS_SIG_SIZE, ANCHOR_SCRIPT_SIZE]),
  /** Anchor by anyone after 16 blocks: `<> <script>`. */
  anchorAnyone: (): number => witnessWeight([0, ANCHOR_SCRIPT_SIZE]),
  /** HTLC-timeout transaction input (offered HTLC): `0 <remotesig> <localsig> <> <script>` (Appendix A timeout_witness). */
  htlcTimeoutTx: (scriptSize: number): number => witnessWeight([0, MAX_WITNESS_SIG_SIZE, MAX_WITNESS_SIG_SIZE, 0, scriptSize]),
  /** HTLC-success transaction input (received HTLC): `0 <remotesig> <localsig> <preimage> <script>` (Appendix A success_witness). */
  htlcSuccessTx: (scriptSize: number): number => witnessWeight([0, MAX_WITNESS_SIG_SIZE, MAX_WITNESS_SIG_SIZE, 32, scriptSize]),
  /** Offered HTLC claimed by the other side with the preimage: `<remotehtlcsig> <payment_preimage> <script>`. */
  offeredHtlcPreimage: (scriptSize: number): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 32, scriptSize]),
  /** Received HTLC timed out by the other side: `<remotehtlcsig> <> <script>`. */
  receivedHtlcTimeout: (scriptSize: number): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 0, scriptSize]),
  /** Either HTLC output by revocation: `<revocation_sig> <revocationpubkey> <script>`. */
  htlcRevoked: (scriptSize: number): number => witnessWeight([MAX_WITNESS_SIG_SIZE, 33, scriptSize]),
} as const;

/**
 * inputWeight is the non-witness weight of one segwit input (36 outpoint + 1 empty script
 * length + 4 sequence = 41 bytes, times 4), to which a spend's witness weight is added.
 */
export const SEGWIT_INPUT_BASE_WEIGHT = 41 * 4;
