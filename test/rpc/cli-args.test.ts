/**
 * `kite` command-line words to JSON-RPC params: positional, -k key=value, and `--flag`s after
 * the command (so `kite close <id> --force` means what it says).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliParams, splitCommandFlags, withFlags } from '../../src/cli/args.ts';
import { findMethod } from '../../src/rpc/methods.ts';

test('positional words keep their order; numbers and booleans are typed', () => {
  assert.deepEqual(parseCliParams(['abc', '42', 'true', '007x'], false), ['abc', 42, true, '007x']);
  assert.deepEqual(parseCliParams(['id=abc', 'blocks=3'], true), { id: 'abc', blocks: 3 });
  assert.throws(() => parseCliParams(['abc'], true), /key=value/);
});

test('--flags after the command become named params; kite options before it stay', () => {
  const r = splitCommandFlags(['--kite-dir', '/x', '--network=regtest', 'close', 'abcd', '--force', '--feerate-range=1,2']);
  assert.deepEqual(r.argv, ['--kite-dir', '/x', '--network=regtest', 'close', 'abcd']);
  assert.deepEqual(r.flags, { force: true, feerate_range: '1,2' });
  assert.deepEqual(splitCommandFlags(['pay', 'lnbcrt1', '-5']).flags, {}, 'a negative number is not a flag');
  const close = findMethod('close')!;
  assert.deepEqual(withFlags(close, ['abcd'], { force: true }), { id: 'abcd', force: true });
  assert.deepEqual(withFlags(close, { id: 'abcd' }, { force: false }), { id: 'abcd', force: false });
  assert.throws(() => withFlags(close, ['a', 'b', 'c', 'd', 'e'], { force: true }), /too many arguments/);
});
