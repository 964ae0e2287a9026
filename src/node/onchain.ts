/**
 * The node's on-chain side: the chain backend (the embedded regtest chain in-process, or
 * Bitcoin Core / kite-chain over JSON-RPC), the block watcher and its polling clock, and the
 * wallet following the chain.
 */
import { join } from 'node:path';
import type { RpcCall } from '../chain/rpc-types.ts';
import { BlockWatcher } from '../chain/watcher.ts';
import { BitcoindBackend, createHttpRpc, startPolling } from '../chain/bitcoind/index.ts';
import { JsonFileWalletStore, loadOrCreateWalletSeed, Wallet } from '../wallet/index.ts';
import type { NodeConfig } from './config.ts';
import type { Logger } from './log.ts';

/** Regtest-only chain commands (mining and the chain's faucet), typed; absent on other networks. */
export interface RegtestFacility {
  /** Mines `blocks` blocks paying `address`; resolves with their hashes (display hex). */
  generate(blocks: number, address: string): Promise<string[]>;
  /** Pays `btc` from the chain's faucet (kite-chain or embedded) to `address`; resolves with the txid. */
  faucet(address: string, btc: number): Promise<string>;
}

export interface OnChain {
  /** @deprecated raw JSON-RPC: use `regtest` for the regtest commands; to be removed once the RPC handlers stop using it. */
  rpc: RpcCall;
  /** Mining and faucet, on regtest only. */
  regtest?: RegtestFacility;
  backend: BitcoindBackend;
  watcher: BlockWatcher;
  wallet: Wallet;
  describe: string;
  close(): Promise<void>;
}

/** openOnChain connects to the configured chain and opens the wallet. */
export async function openOnChain(cfg: NodeConfig, log: Logger, pollMs = 500): Promise<OnChain> {
  let rpc: RpcCall;
  let backend: BitcoindBackend;
  let describe: string;
  let closeChain: () => void = () => {};
  if (cfg.chain === 'embedded') {
    // Loaded on demand: a node on bitcoind never loads the embedded chain's code.
    const { RegtestChain, FileBlockStore, ensureFaucetFunds, createChainRpc } = await import('../chain/regtest/index.ts');
    const chain = new RegtestChain({ store: new FileBlockStore(join(cfg.dataDir, 'chain')), fallbackFeeRate: 0.0002 });
    ensureFaucetFunds(chain);
    rpc = createChainRpc(chain);
    backend = new BitcoindBackend(rpc, { fallbackFeerate: 1000 });
    describe = `embedded regtest chain in ${join(cfg.dataDir, 'chain')}`;
    closeChain = () => chain.close();
  } else {
    const auth =
      cfg.bitcoinRpcUser !== null && cfg.bitcoinRpcPassword !== null
        ? { user: cfg.bitcoinRpcUser, password: cfg.bitcoinRpcPassword }
        : { cookieFile: cfg.bitcoinCookie ?? undefined };
    if (!auth.user && !auth.cookieFile) {
      throw new Error('--chain=bitcoind needs --bitcoin-rpcuser and --bitcoin-rpcpassword, or --bitcoin-cookie');
    }
    const http = createHttpRpc({ host: cfg.bitcoinRpcConnect, port: cfg.bitcoinRpcPort, ...auth });
    rpc = http;
    backend = new BitcoindBackend(rpc, cfg.network === 'regtest' ? { fallbackFeerate: 1000 } : {});
    describe = `bitcoind at ${cfg.bitcoinRpcConnect}:${cfg.bitcoinRpcPort}`;
    closeChain = () => http.close();
  }
  const info = (await rpc('getblockchaininfo', [])) as { chain: string; blocks: number };
  const expected = { bitcoin: 'main', testnet: 'test', signet: 'signet', regtest: 'regtest' }[cfg.network];
  if (info.chain !== expected) throw new Error(`${describe} runs chain '${info.chain}', but this node is on ${cfg.network}`);
  const { seed } = loadOrCreateWalletSeed(cfg.dataDir);
  const wallet = await Wallet.open({ seed, network: cfg.network, chain: backend, store: new JsonFileWalletStore(join(cfg.dataDir, 'wallet.json')) });
  await wallet.sync();
  const tip = await backend.getTip();
  const watcher = new BlockWatcher(backend, { startHeight: tip.height + 1, watchMempool: true });
  wallet.attach(watcher);
  const stopPolling = startPolling(watcher, { intervalMs: pollMs, onError: (e) => log.warn('chain poll failed', { error: (e as Error).message }) });
  log.info('chain ready', { chain: describe, height: tip.height });
  const regtest: RegtestFacility | undefined =
    cfg.network === 'regtest'
      ? {
          generate: async (blocks, address) => (await rpc('generatetoaddress', [blocks, address])) as string[],
          faucet: async (address, btc) => String(await rpc('kite_faucet', [address, btc])),
        }
      : undefined;
  return {
    rpc,
    regtest,
    backend,
    watcher,
    wallet,
    describe,
    async close() {
      await stopPolling();
      closeChain();
    },
  };
}
