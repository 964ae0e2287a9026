/** Layer 4: payments — the invoice book and the receiving side's final-hop checks. */
export * from './invoice-book.ts';
export * from './receive.ts';
