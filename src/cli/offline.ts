/**
 * Commands the CLI answers by itself, without a daemon.
 */
import { KiteError } from '../lib/errors.ts';
import { RpcErrors } from '../rpc/errors.ts';

type Offline = (params: Record<string, unknown>, network: string) => Promise<unknown>;

export const offlineCommands: Record<string, Offline> = {
  /** decode: BOLT 11 invoices are decoded and their signature checked locally. */
  async decode(params) {
    const { decodeInvoice, invoiceToJson } = await import('../invoice/index.ts');
    try {
      return invoiceToJson(decodeInvoice(String(params.string)));
    } catch (e) {
      throw new KiteError(RpcErrors.INVALID_PARAMS, `invalid bolt11 invoice: ${(e as Error).message}`);
    }
  },
};
