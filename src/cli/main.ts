/**
 * `kite`: the command-line client. It sends one JSON-RPC request to the daemon's unix socket
 * (`<kite-dir>/<network>/kite-rpc`) and prints the result as JSON on stdout. Errors go to
 * stderr as `{"code": N, "message": "..."}` with exit status 1 (command failed) or 2 (usage
 * error, or the daemon cannot be reached). `kite decode` works without a daemon.
 */
import { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KiteError } from '../lib/errors.ts';
import { RpcClient } from '../rpc/client.ts';
import { toJson } from '../rpc/json.ts';
import { findMethod } from '../rpc/methods.ts';
import { normalizeParams, usage } from '../rpc/schema.ts';
import { RpcErrors } from '../rpc/errors.ts';
import { isNetwork } from '../node/networks.ts';
import { offlineCommands } from './offline.ts';
import { parseCliParams, splitCommandFlags, withFlags } from './args.ts';

function fail(code: number, message: string, exit: number): never {
  process.stderr.write(toJson({ code, message }, 2) + '\n');
  process.exit(exit);
}

async function main(fullArgv: string[]): Promise<void> {
  const { argv, flags } = splitCommandFlags(fullArgv);
  const program = new Command();
  program
    .name('kite')
    .description('Command-line client for the Kite Lightning node (kited).')
    .option('--kite-dir <dir>', 'base directory of the daemon', process.env.KITE_DIR ?? join(homedir(), '.kite'))
    .option('--network <network>', 'bitcoin, testnet, signet or regtest', 'regtest')
    .option('-k, --keywords', 'arguments are key=value pairs')
    .argument('[command]', 'the command (see `kite help`)')
    .argument('[args...]', 'its arguments')
    .allowExcessArguments(false)
    .showHelpAfterError()
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode ?? 2;
    process.exit(code === 0 ? 0 : 2);
  }
  const opts = program.opts<{ kiteDir: string; network: string; keywords?: boolean }>();
  const [command, args] = program.processedArgs as [string | undefined, string[]];
  if (!isNetwork(opts.network)) fail(RpcErrors.INVALID_PARAMS, `--network must be one of bitcoin, testnet, signet, regtest; got '${opts.network}'`, 2);
  const method = command ?? 'help';
  let params: unknown;
  const spec = findMethod(method);
  try {
    params = parseCliParams(args ?? [], !!opts.keywords);
    if (Object.keys(flags).length > 0) {
      if (!spec) throw new KiteError(RpcErrors.METHOD_NOT_FOUND, `unknown command '${method}'`);
      params = withFlags(spec, params as unknown[] | Record<string, unknown>, flags);
    }
  } catch (e) {
    fail((e as KiteError).code, (e as Error).message, 2);
  }
  // Check arguments against the schema before bothering the daemon.
  if (spec) {
    try {
      normalizeParams(spec, params);
    } catch (e) {
      fail((e as KiteError).code, `${(e as Error).message}\nusage: kite ${usage(spec)}`, 2);
    }
  }
  const offline = offlineCommands[method];
  if (offline) {
    try {
      process.stdout.write(toJson(await offline(normalizeParams(spec!, params), opts.network), 2) + '\n');
      return;
    } catch (e) {
      const k = e instanceof KiteError ? e : new KiteError(RpcErrors.FAILED, (e as Error).message);
      fail(k.code, k.message, 1);
    }
  }
  const socketPath = join(opts.kiteDir, opts.network, 'kite-rpc');
  const client = new RpcClient(socketPath);
  try {
    const result = await client.call(method, params);
    process.stdout.write(toJson(result, 2) + '\n');
  } catch (e) {
    if (e instanceof KiteError) fail(e.code, e.message, 1);
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ECONNREFUSED') {
      fail(RpcErrors.FAILED, `cannot reach kited at ${socketPath} (is it running with --kite-dir=${opts.kiteDir} --network=${opts.network}?)`, 2);
    }
    fail(RpcErrors.FAILED, (e as Error).message, 2);
  } finally {
    client.close();
  }
}

await main(process.argv.slice(2));
