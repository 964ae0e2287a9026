/**
 * kited configuration: flags, config files whose keys are the long flags, per-network
 * defaults, and clear refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/node/config.ts';

test('defaults per network', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-cfg-'));
  const c = resolveConfig([`--kite-dir=${dir}`]);
  assert.equal(c.network, 'regtest');
  assert.equal(c.dataDir, join(dir, 'regtest'));
  assert.equal(c.bindPort, 19846);
  assert.equal(c.chain, 'embedded');
  const m = resolveConfig([`--kite-dir=${dir}`, '--network', 'bitcoin']);
  assert.equal(m.bindPort, 9735);
  assert.equal(m.bindHost, '0.0.0.0');
  assert.equal(m.chain, 'bitcoind');
});

test('config files: base, then network, then command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-cfg-'));
  mkdirSync(join(dir, 'regtest'));
  writeFileSync(join(dir, 'config'), '# base\nalias=base\nlog-level=debug\n');
  writeFileSync(join(dir, 'regtest', 'config'), 'alias=net\nbind-addr=127.0.0.1:1234\nconnect=02' + 'aa'.repeat(32) + '@h:1\n');
  const c = resolveConfig([`--kite-dir=${dir}`, '--alias=cli']);
  assert.equal(c.alias, 'cli');
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.bindHost, '127.0.0.1');
  assert.equal(c.bindPort, 1234);
  assert.equal(c.connect.length, 1);
});

test('refusals name the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-cfg-'));
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`, '--network=mainnet']), /--network must be one of/);
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`, '--bogus=1']), /unknown option '--bogus'/);
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`, '--bind-addr=nope']), /--bind-addr must be HOST:PORT/);
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`, '--network=bitcoin', '--chain=embedded']), /only on regtest/);
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`, '--network=bitcoin', '--developer']), /refused on mainnet/);
  writeFileSync(join(dir, 'config'), 'nonsense=1\n');
  assert.throws(() => resolveConfig([`--kite-dir=${dir}`]), /config:1: unknown option 'nonsense'/);
});
