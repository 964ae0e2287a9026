/**
 * Layer 2: BOLT 11 invoices. decodeInvoice / encodeInvoice / createInvoice / invoiceToJson;
 * see README.md in this folder.
 */
export * from './types.ts';
export { InvoiceError, type InvoiceErrorField } from './errors.ts';
export {
  decodeInvoice,
  isExpired,
  checkDescriptionHash,
  stripInvoicePrefix,
  DEFAULT_EXPIRY_SECONDS,
  DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
  type DecodeInvoiceOptions,
} from './decode.ts';
export { encodeInvoice, createInvoice, invoiceSigningHash, defaultInvoiceFeatures, type CreateInvoiceOptions } from './encode.ts';
export { invoiceToJson, type InvoiceJson, type RouteHintHopJson } from './json.ts';
export { parseHrp, encodeHrp, encodeAmount, CURRENCY_PREFIX, MAX_INVOICE_MSAT, type ParsedHrp } from './hrp.ts';
export { INVOICE_KNOWN_FEATURE_BITS, INVOICE_FEATURE, featureBits, featuresFromBits, hasFeature, unknownRequiredBits } from './features.ts';
export { fallbackToAddress, fallbackScriptPubKey, fallbackType, addressToFallback, FALLBACK_P2PKH, FALLBACK_P2SH } from './fallback-address.ts';
export { FIELD_TYPE } from './fields.ts';
