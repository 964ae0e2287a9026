/**
 * `kited`: the Kite daemon. Reads flags and config files, opens the data directory, starts
 * the node and its RPC surfaces, and shuts down cleanly on SIGINT/SIGTERM or `stop`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { KiteError } from '../lib/errors.ts';
import { FLAGS, resolveConfig } from '../node/config.ts';
import { createLogger } from '../node/log.ts';
import { KiteNode } from '../node/node.ts';
import { startNodeRpc, type NodeRpcSurfaces } from '../rpc/handlers.ts';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: kited [--key=value ...]\n\noptions (also accepted as key=value lines in <kite-dir>/<network>/config):\n');
    for (const [k, v] of Object.entries(FLAGS)) process.stdout.write(`  --${k.padEnd(22)} ${v}\n`);
    return;
  }
  let cfg;
  try {
    cfg = resolveConfig(argv);
  } catch (e) {
    process.stderr.write(`kited: ${(e as Error).message}\n`);
    process.exit(2);
  }
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const sink = cfg.logFile ? (line: string) => appendFileSync(cfg.logFile!, line + '\n') : (line: string) => process.stderr.write(line + '\n');
  const log = createLogger(sink, cfg.logLevel);
  let node: KiteNode;
  let rpc: NodeRpcSurfaces;
  let shutdown: (why: string) => Promise<void> = async () => {};
  try {
    node = await KiteNode.start(cfg, log);
    try {
      rpc = await startNodeRpc(node, () => void shutdown('stop command'));
    } catch (e) {
      await node.stop();
      throw e;
    }
  } catch (e) {
    log.warn('failed to start', { reason: (e as Error).message });
    process.stderr.write(`kited: ${(e as Error).message}\n`);
    process.exit(e instanceof KiteError ? 2 : 1);
  }
  log.info('kited started', {
    id: node.idHex,
    network: cfg.network,
    listen: `${cfg.bindHost}:${node.listenPort}`,
    rpc: rpc.socketPath,
    http: cfg.httpHost ? `${cfg.httpHost}:${rpc.httpPort}` : 'off',
  });
  let stopping = false;
  shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    await rpc.close();
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('uncaughtException', (e) => {
    // A bug in Kite: log it loudly; the process keeps its state rather than dying mid-write.
    log.error('uncaught exception', { error: e.stack ?? String(e) });
  });
  process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: (e as Error)?.stack ?? String(e) }));
}

await main(process.argv.slice(2));
