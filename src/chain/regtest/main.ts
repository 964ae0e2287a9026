/**
 * `kite-chain`: a standalone regtest bitcoind stand-in. Flags follow bitcoind's
 * (`--datadir`, `--rpcport`, `--rpcbind`, `--rpcuser`, `--rpcpassword`; `-flag=value` works
 * too). On an empty chain it mines 101 blocks to the faucet so `kite_faucet` can pay at once.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { RegtestChain } from './chain.ts';
import { ensureFaucetFunds } from './faucet.ts';
import { REGTEST } from './params.ts';
import { ChainServer } from './server.ts';
import { FileBlockStore } from './store.ts';
import { parseArgs } from './args.ts';

const USAGE = `Usage: kite-chain [options]

Runs an embedded, fully validating regtest chain with a Bitcoin Core-compatible JSON-RPC.

Options:
  --datadir=<dir>        data directory (default ~/.kite-chain)
  --rpcport=<port>       RPC port (default ${REGTEST.rpcPort})
  --rpcbind=<addr>       RPC bind address (default 127.0.0.1)
  --rpcuser=<user>       RPC user (default: cookie auth, <datadir>/.cookie)
  --rpcpassword=<pw>     RPC password
  --fallbackfee=<btc/kvB> feerate estimatesmartfee reports without recent transactions (default 0.0002)
  --nofaucet             do not mine 101 blocks to the faucet on an empty chain
  --help                 show this help
`;

async function main(): Promise<void> {
  let args: Map<string, string>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`kite-chain: ${(e as Error).message}\n${USAGE}`);
    process.exit(1);
  }
  if (args.has('help') || args.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  const datadir = resolve(args.get('datadir') ?? join(homedir(), '.kite-chain'));
  const port = Number(args.get('rpcport') ?? REGTEST.rpcPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`kite-chain: --rpcport must be a port number, got '${args.get('rpcport')}'\n`);
    process.exit(1);
  }
  const fallback = Number(args.get('fallbackfee') ?? '0.0002');
  const chain = new RegtestChain({ store: new FileBlockStore(datadir), fallbackFeeRate: fallback });
  if (!args.has('nofaucet')) ensureFaucetFunds(chain);
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    chain.close();
    process.stdout.write('kite-chain stopped\n');
    process.exit(0);
  };
  const server = new ChainServer({
    chain,
    host: args.get('rpcbind') ?? '127.0.0.1',
    port,
    datadir,
    rpcUser: args.get('rpcuser'),
    rpcPassword: args.get('rpcpassword'),
    onStop: () => void shutdown(),
  });
  try {
    await server.start();
  } catch (e) {
    chain.close();
    process.stderr.write(`kite-chain: cannot listen on ${args.get('rpcbind') ?? '127.0.0.1'}:${port}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.stdout.write(`kite-chain: regtest height ${chain.height}, RPC on ${server.url} (datadir ${datadir}${server.cookieFile ? `, cookie ${server.cookieFile}` : ''})\n`);
}

void main();
