/**
 * The human-readable part of a BOLT 11 invoice: `ln` + currency prefix + optional amount
 * with a multiplier letter (BOLT #11 "Human-Readable Part").
 */
import { msat, type Msat } from '../lib/index.ts';
import { InvoiceError } from './errors.ts';
import type { InvoiceNetwork } from './types.ts';

/** BIP-173 currency prefix (without `ln`) of each network. */
export const CURRENCY_PREFIX: Readonly<Record<InvoiceNetwork, string>> = {
  bitcoin: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

/** Prefixes longest first, so `lnbcrt` is not read as `lnbc` + amount `rt`. */
const PREFIXES: ReadonlyArray<[string, InvoiceNetwork]> = (Object.entries(CURRENCY_PREFIX) as [InvoiceNetwork, string][])
  .map(([net, cur]): [string, InvoiceNetwork] => ['ln' + cur, net])
  .sort((a, b) => b[0].length - a[0].length);

/** Millisatoshis per unit of each multiplier; `p` (0.1 msat) is handled apart. 1 BTC = 10^11 msat. */
const MSAT_PER: Readonly<Record<string, bigint>> = { '': 100_000_000_000n, m: 100_000_000n, u: 100_000n, n: 100n };

/** 21 million BTC in msat: no invoice can ask for more. */
export const MAX_INVOICE_MSAT = 21_000_000n * 100_000_000_000n;

/** The parsed human-readable part. */
export interface ParsedHrp {
  network: InvoiceNetwork;
  currency: string;
  amountMsat?: Msat;
}

/**
 * parseHrp reads the network and amount of a lower-case human-readable part.
 *
 * BOLT #11: "if it does NOT understand the `prefix`: MUST fail the payment." and "if `amount`
 * contains a non-digit OR is followed by anything except a `multiplier` (see table above):
 * MUST fail the payment." and "if multiplier is `p` and the last decimal of `amount` is not
 * 0: MUST fail the payment."
 */
export function parseHrp(hrp: string): ParsedHrp {
  let network: InvoiceNetwork | undefined;
  let rest = '';
  for (const [prefix, net] of PREFIXES) {
    if (hrp.startsWith(prefix)) {
      const r = hrp.slice(prefix.length);
      const c = r.charCodeAt(0);
      if (r === '' || (c >= 48 && c <= 57)) {
        network = net;
        rest = r;
        break;
      }
    }
  }
  if (network === undefined) {
    if (!hrp.startsWith('ln')) throw new InvoiceError('hrp', `human-readable part ${JSON.stringify(hrp)} does not start with "ln"`);
    throw new InvoiceError('hrp', `unknown currency prefix in ${JSON.stringify(hrp)} (expected lnbc, lntb, lntbs, lnbcrt or lnsb, then an optional amount)`);
  }
  const currency = CURRENCY_PREFIX[network];
  if (rest === '') return { network, currency };
  let digits = rest;
  let mult = '';
  const last = rest[rest.length - 1];
  if (last < '0' || last > '9') {
    mult = last;
    digits = rest.slice(0, -1);
  }
  if (!/^[0-9]+$/.test(digits)) throw new InvoiceError('amount', `amount ${JSON.stringify(rest)} is not a decimal number followed by an optional multiplier`);
  if (mult !== '' && mult !== 'm' && mult !== 'u' && mult !== 'n' && mult !== 'p') {
    throw new InvoiceError('amount', `invalid amount multiplier ${JSON.stringify(mult)} (expected m, u, n or p)`);
  }
  // BOLT #11 (writer): "MUST encode `amount` as a positive decimal integer with no leading 0s."
  if (digits[0] === '0') throw new InvoiceError('amount', `amount ${JSON.stringify(rest)} has a leading zero or is zero`);
  if (digits.length > 30) throw new InvoiceError('amount', 'amount is too large');
  const n = BigInt(digits);
  let amount: bigint;
  if (mult === 'p') {
    if (n % 10n !== 0n) throw new InvoiceError('amount', `amount ${rest} has sub-millisatoshi precision (a pico-bitcoin amount must end in 0)`);
    amount = n / 10n;
  } else {
    amount = n * MSAT_PER[mult];
  }
  if (amount > MAX_INVOICE_MSAT) throw new InvoiceError('amount', `amount ${rest} is more than 21 million bitcoin`);
  return { network, currency, amountMsat: msat(amount) };
}

/**
 * encodeAmount writes an msat amount with the largest multiplier that represents it
 * exactly. BOLT #11: "SHOULD use the shortest representation possible, by using the largest
 * multiplier or omitting the multiplier." and "If the `p` multiplier is used the last
 * decimal of `amount` MUST be `0`."
 */
export function encodeAmount(amount: Msat): string {
  if (amount <= 0n) throw new InvoiceError('amount', 'amount must be positive');
  if (amount > MAX_INVOICE_MSAT) throw new InvoiceError('amount', 'amount is more than 21 million bitcoin');
  for (const mult of ['', 'm', 'u', 'n']) {
    const per = MSAT_PER[mult];
    if (amount % per === 0n) return `${amount / per}${mult}`;
  }
  return `${amount * 10n}p`;
}

/** encodeHrp builds the human-readable part for a network and optional amount. */
export function encodeHrp(network: InvoiceNetwork, amountMsat?: Msat): string {
  const cur = CURRENCY_PREFIX[network];
  if (cur === undefined) throw new InvoiceError('network', `unknown network ${JSON.stringify(network)}`);
  return 'ln' + cur + (amountMsat === undefined ? '' : encodeAmount(amountMsat));
}
