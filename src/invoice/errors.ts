/**
 * InvoiceError: a BOLT 11 string (or the fields given to build one) is not acceptable. It
 * extends DecodeError so that callers that treat all bad input alike need one catch, and it
 * names the part of the invoice that is wrong (`field`) for CLI and RPC messages.
 */
import { DecodeError } from '../lib/index.ts';

/** Which part of the invoice an InvoiceError is about. */
export type InvoiceErrorField =
  | 'bech32'
  | 'hrp'
  | 'amount'
  | 'timestamp'
  | 'tagged-field'
  | 'p'
  | 's'
  | 'd'
  | 'h'
  | 'x'
  | 'c'
  | 'f'
  | 'r'
  | '9'
  | 'n'
  | 'm'
  | 'signature'
  | 'network'
  | 'input';

/** InvoiceError is thrown by every invoice decoder and builder for bad input, and nothing else is. */
export class InvoiceError extends DecodeError {
  override name = 'InvoiceError';
  constructor(
    readonly field: InvoiceErrorField,
    message: string,
  ) {
    super(`invalid invoice: ${message}`);
  }
}
