/**
 * kited's configuration: long flags on the command line, or `key=value` lines in
 * `<kite-dir>/<network>/config` (and `<kite-dir>/config`) whose keys are the long flags.
 * The command line wins over the network's file, which wins over the base file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KiteError } from '../lib/errors.ts';
import { DEFAULT_HTTP_PORT, DEFAULT_PORT, isNetwork, type Network } from './networks.ts';
import { ErrorCodes } from '../lib/error-codes.ts';

export interface NodeConfig {
  kiteDir: string;
  network: Network;
  dataDir: string;
  bindHost: string;
  bindPort: number;
  /** HTTP RPC address, or null when disabled. */
  httpHost: string | null;
  httpPort: number;
  alias: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFile: string | null;
  chain: 'embedded' | 'bitcoind';
  bitcoinRpcConnect: string;
  bitcoinRpcPort: number;
  bitcoinRpcUser: string | null;
  bitcoinRpcPassword: string | null;
  bitcoinCookie: string | null;
  developer: boolean;
  /** Seconds between pings on an idle connection. */
  pingIntervalSec: number;
  /** Peers to connect to at start (`node_id@host:port`). */
  connect: string[];
  /**
   * Developer: drop a peer connection right after every N-th channel update message we send
   * (update_*, commitment_signed, revoke_and_ack), as a flaky peer would; null when off.
   */
  devDisconnectAfterChannelMsgs: number | null;
  /** Developer: which channel update messages that injection counts. */
  devDisconnectDirection: 'sent' | 'received' | 'both';
  /** Developer: the base delay of the redial backoff in milliseconds; null keeps the default. */
  devReconnectMs: number | null;
  /** Developer: as funder, offer exactly this closing fee (fee_range min = max), as Core Lightning does on regtest; null when off. */
  devClosingFeeSat: number | null;
  /** Developer: as funder, start closing_signed once no HTLC remains even with a fee update not yet revoked, as Core Lightning does. */
  devEarlyClosingSigned: boolean;
}

/** The flags kited accepts, with their meaning (also its --help). */
export const FLAGS: Record<string, string> = {
  'kite-dir': 'base directory (default ~/.kite)',
  network: 'bitcoin, testnet, signet or regtest (default regtest)',
  'bind-addr': 'HOST:PORT to listen on for peers (default 0.0.0.0 and the network port)',
  'http-addr': 'HOST:PORT for the HTTP RPC, or "none" (default 127.0.0.1 and the network HTTP port)',
  alias: 'node alias',
  'log-level': 'debug, info, warn or error',
  'log-file': 'file to append logs to (default: stderr)',
  chain: 'embedded (regtest only) or bitcoind',
  'bitcoin-rpcconnect': 'bitcoind RPC host',
  'bitcoin-rpcport': 'bitcoind RPC port',
  'bitcoin-rpcuser': 'bitcoind RPC user',
  'bitcoin-rpcpassword': 'bitcoind RPC password',
  'bitcoin-cookie': 'bitcoind .cookie file (instead of user and password)',
  developer: 'enable developer commands (refused on mainnet)',
  'ping-interval': 'seconds between keep-alive pings (default 60)',
  connect: 'peer to keep connected, node_id@host:port (may repeat)',
  'dev-disconnect-after-channel-msgs':
    'developer: drop the peer connection, as a flaky peer would, right after every N-th channel update message sent (update_*, commitment_signed, revoke_and_ack; 1 = each one), at the first commitment_signed or revoke_and_ack reaching the count',
  'dev-disconnect-direction': 'developer: which channel update messages --dev-disconnect-after-channel-msgs counts: sent (default), received (the drop discards what follows on that connection) or both',
  'dev-reconnect-ms': 'developer: base delay in ms of the backoff redialling kept peers (default 1000); the backoff then stops growing at 1 s',
  'dev-closing-fee-sat': 'developer: as funder, offer exactly this closing fee with fee_range min = max (as Core Lightning does on regtest)',
  'dev-early-closing-signed': 'developer: as funder, send closing_signed once no HTLC remains, before a fee update is revoked (as Core Lightning does)',
};

/** parseConfigFile reads `key=value` lines; `#` starts a comment. */
export function parseConfigFile(text: string, file: string): [string, string][] {
  const out: [string, string][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.replace(/#.*$/, '').trim();
    if (t === '') return;
    const eq = t.indexOf('=');
    const key = (eq < 0 ? t : t.slice(0, eq)).trim();
    const value = eq < 0 ? 'true' : t.slice(eq + 1).trim();
    if (!(key in FLAGS)) throw new KiteError(ErrorCodes.INVALID_PARAMS, `${file}:${i + 1}: unknown option '${key}'`);
    out.push([key, value]);
  });
  return out;
}

/** parseArgs reads `--key=value`, `--key value` and bare `--flag` from argv. */
export function parseArgs(argv: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new KiteError(ErrorCodes.INVALID_PARAMS, `unexpected argument '${a}' (options look like --key=value)`);
    let key = a.slice(2);
    let value: string;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    } else if (key === 'developer') value = 'true';
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else value = 'true';
    if (!(key in FLAGS)) throw new KiteError(ErrorCodes.INVALID_PARAMS, `unknown option '--${key}' (see kited --help)`);
    out.push([key, value]);
  }
  return out;
}

function hostPort(v: string, what: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--${what} must be HOST:PORT, got '${v}'`);
  return [m[1], Number(m[2])];
}

/** resolveConfig merges files and flags into a checked NodeConfig. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const cli = parseArgs(argv);
  const first = (k: string): string | undefined => cli.find(([key]) => key === k)?.[1];
  const kiteDir = first('kite-dir') ?? env.KITE_DIR ?? join(homedir(), '.kite');
  const entries: [string, string][] = [];
  const baseFile = join(kiteDir, 'config');
  if (existsSync(baseFile)) entries.push(...parseConfigFile(readFileSync(baseFile, 'utf8'), baseFile));
  const netGuess = first('network') ?? entries.filter(([k]) => k === 'network').pop()?.[1] ?? 'regtest';
  if (!isNetwork(netGuess)) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--network must be one of bitcoin, testnet, signet, regtest; got '${netGuess}'`);
  const netFile = join(kiteDir, netGuess, 'config');
  if (existsSync(netFile)) entries.push(...parseConfigFile(readFileSync(netFile, 'utf8'), netFile));
  entries.push(...cli);
  const get = (k: string): string | undefined => entries.filter(([key]) => key === k).pop()?.[1];
  const network = netGuess;
  const [bindHost, bindPort] = get('bind-addr') ? hostPort(get('bind-addr')!, 'bind-addr') : ['0.0.0.0', DEFAULT_PORT[network]];
  const httpRaw = get('http-addr');
  const [httpHost, httpPort]: [string | null, number] = httpRaw === 'none' ? [null, 0] : httpRaw ? hostPort(httpRaw, 'http-addr') : ['127.0.0.1', DEFAULT_HTTP_PORT[network]];
  const logLevel = (get('log-level') ?? 'info') as NodeConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--log-level must be debug, info, warn or error`);
  const chain = (get('chain') ?? (network === 'regtest' ? 'embedded' : 'bitcoind')) as NodeConfig['chain'];
  if (chain !== 'embedded' && chain !== 'bitcoind') throw new KiteError(ErrorCodes.INVALID_PARAMS, `--chain must be embedded or bitcoind, got '${chain}'`);
  if (chain === 'embedded' && network !== 'regtest') throw new KiteError(ErrorCodes.INVALID_PARAMS, `--chain=embedded runs only on regtest; use --chain=bitcoind for ${network}`);
  const developer = get('developer') === 'true';
  if (developer && network === 'bitcoin') throw new KiteError(ErrorCodes.INVALID_PARAMS, '--developer is refused on mainnet');
  const num = (k: string, d: number): number => {
    const v = get(k);
    if (v === undefined) return d;
    if (!/^\d+$/.test(v)) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--${k} must be a whole number, got '${v}'`);
    return Number(v);
  };
  const devFlag = (k: string, min: number): number | null => {
    if (get(k) === undefined) return null;
    if (!developer) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--${k} needs --developer`);
    const v = num(k, 0);
    if (v < min) throw new KiteError(ErrorCodes.INVALID_PARAMS, `--${k} must be at least ${min}, got ${v}`);
    return v;
  };
  const devDisconnectAfterChannelMsgs = devFlag('dev-disconnect-after-channel-msgs', 1);
  const devReconnectMs = devFlag('dev-reconnect-ms', 0);
  const devClosingFeeSat = devFlag('dev-closing-fee-sat', 1);
  const devEarlyClosingSigned = get('dev-early-closing-signed') === 'true';
  if (devEarlyClosingSigned && !developer) throw new KiteError(ErrorCodes.INVALID_PARAMS, '--dev-early-closing-signed needs --developer');
  const devDisconnectDirection = (get('dev-disconnect-direction') ?? 'sent') as NodeConfig['devDisconnectDirection'];
  if (get('dev-disconnect-direction') !== undefined && devDisconnectAfterChannelMsgs === null) {
    throw new KiteError(ErrorCodes.INVALID_PARAMS, '--dev-disconnect-direction needs --dev-disconnect-after-channel-msgs');
  }
  if (!['sent', 'received', 'both'].includes(devDisconnectDirection)) {
    throw new KiteError(ErrorCodes.INVALID_PARAMS, `--dev-disconnect-direction must be sent, received or both, got '${devDisconnectDirection}'`);
  }
  return {
    kiteDir,
    network,
    dataDir: join(kiteDir, network),
    bindHost,
    bindPort,
    httpHost,
    httpPort,
    alias: get('alias') ?? '',
    logLevel,
    logFile: get('log-file') ?? null,
    chain,
    bitcoinRpcConnect: get('bitcoin-rpcconnect') ?? '127.0.0.1',
    bitcoinRpcPort: num('bitcoin-rpcport', { bitcoin: 8332, testnet: 18332, signet: 38332, regtest: 18443 }[network]),
    bitcoinRpcUser: get('bitcoin-rpcuser') ?? null,
    bitcoinRpcPassword: get('bitcoin-rpcpassword') ?? null,
    bitcoinCookie: get('bitcoin-cookie') ?? null,
    developer,
    pingIntervalSec: num('ping-interval', 60),
    connect: entries.filter(([k]) => k === 'connect').map(([, v]) => v),
    devDisconnectAfterChannelMsgs,
    devDisconnectDirection,
    devReconnectMs,
    devClosingFeeSat,
    devEarlyClosingSigned,
  };
}
