/**
 * Persistence for the wallet: a tiny key-value interface that the node can back with SQLite
 * later. Wallet state is small and recoverable (UTXOs can always be rescanned from the
 * chain), so it is stored as a few JSON values. MemoryWalletStore is for tests and
 * throwaway nodes; JsonFileWalletStore (file-store.ts) keeps a JSON file.
 */

/** WalletStore is a synchronous string key-value store. */
export interface WalletStore {
  get(key: string): string | undefined;
  /** put must be durable when it returns (the wallet persists before it broadcasts). */
  put(key: string, value: string): void;
  delete(key: string): void;
}

/** MemoryWalletStore keeps values in a Map. */
export class MemoryWalletStore implements WalletStore {
  readonly data = new Map<string, string>();
  get(key: string): string | undefined {
    return this.data.get(key);
  }
  put(key: string, value: string): void {
    this.data.set(key, value);
  }
  delete(key: string): void {
    this.data.delete(key);
  }
}
