/**
 * Helpers for functional tests and the demo: run real `kited` processes on loopback, each in
 * its own temporary kite-dir, and drive them through the `kite` CLI or the RPC socket.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcClient } from '../../src/rpc/client.ts';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const KITED = join(ROOT, 'bin', 'kited');
const KITE = join(ROOT, 'bin', 'kite');

/** freePort asks the OS for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

export interface Daemon {
  name: string;
  dir: string;
  port: number;
  httpPort: number;
  proc: ChildProcess;
  rpc: RpcClient;
  logs: string[];
  id: string;
  /** cli runs `kite` against this daemon and returns exit code and parsed output. */
  cli(...args: string[]): { status: number; json: any; stderr: string };
  stop(): Promise<void>;
  kill(): void;
}

/** startDaemon launches kited and waits until its RPC answers getinfo. */
export async function startDaemon(name: string, extra: string[] = [], dir?: string): Promise<Daemon> {
  const kiteDir = dir ?? mkdtempSync(join(tmpdir(), `kite-${name}-`));
  const port = await freePort();
  const httpPort = await freePort();
  const logs: string[] = [];
  const proc = spawn(KITED, [`--kite-dir=${kiteDir}`, '--network=regtest', `--bind-addr=127.0.0.1:${port}`, `--http-addr=127.0.0.1:${httpPort}`, `--alias=${name}`, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (b: Buffer): void => {
    for (const l of b.toString().split('\n')) if (l) logs.push(l);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const rpc = new RpcClient(join(kiteDir, 'regtest', 'kite-rpc'));
  const deadline = Date.now() + 60_000;
  let info: { id: string } | null = null;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`kited ${name} exited with ${proc.exitCode}:\n${logs.join('\n')}`);
    try {
      info = await rpc.call('getinfo');
      break;
    } catch {
      rpc.close();
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  if (!info) {
    proc.kill('SIGKILL');
    throw new Error(`kited ${name} did not start:\n${logs.join('\n')}`);
  }
  const d: Daemon = {
    name,
    dir: kiteDir,
    port,
    httpPort,
    proc,
    rpc,
    logs,
    id: info.id,
    cli: (...args) => runCli(kiteDir, args),
    async stop() {
      rpc.close();
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
    kill() {
      rpc.close();
      proc.kill('SIGKILL');
    },
  };
  return d;
}

/** runCli runs `kite --kite-dir=DIR args...` synchronously. */
export function runCli(kiteDir: string, args: string[]): { status: number; json: any; stderr: string } {
  const r = spawnSync(KITE, [`--kite-dir=${kiteDir}`, '--network=regtest', ...args], { encoding: 'utf8', timeout: 60_000 });
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = r.stdout;
  }
  return { status: r.status ?? -1, json, stderr: r.stderr };
}

/** cleanup removes a daemon's directory. */
export function cleanup(d: Daemon): void {
  rmSync(d.dir, { recursive: true, force: true });
}

/** waitFor polls until fn returns a truthy value or the timeout passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface ChainProc {
  dir: string;
  port: number;
  proc: ChildProcess;
  cookie: string;
  /** kitedArgs are the flags that point a kited at this chain. */
  kitedArgs: string[];
  stop(): Promise<void>;
}

/** startChain launches `kite-chain` on a free loopback port and waits for its RPC line. */
export async function startChain(): Promise<ChainProc> {
  const dir = mkdtempSync(join(tmpdir(), 'kite-chain-'));
  const port = await freePort();
  const proc = spawn(join(ROOT, 'bin', 'kite-chain'), [`--datadir=${dir}`, `--rpcport=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`kite-chain did not start: ${out}`)), 60_000);
    const on = (b: Buffer): void => {
      out += b.toString();
      if (/RPC on/.test(out)) {
        clearTimeout(t);
        res();
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (c) => {
      clearTimeout(t);
      rej(new Error(`kite-chain exited ${c}: ${out}`));
    });
  });
  const cookie = join(dir, '.cookie');
  return {
    dir,
    port,
    proc,
    cookie,
    kitedArgs: ['--chain=bitcoind', `--bitcoin-rpcport=${port}`, `--bitcoin-cookie=${cookie}`],
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
