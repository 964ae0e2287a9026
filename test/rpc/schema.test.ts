/**
 * The RPC method registry: positional and named params, and errors that name the bad
 * parameter and the form it expects, with a stable code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KiteError } from '../../src/lib/errors.ts';
import { createDispatcher, findMethod, METHODS, normalizeParams, RpcErrors, splitJsonObjects, toJson, usage } from '../../src/rpc/index.ts';

const id = '02' + 'ab'.repeat(32);

test('positional and named params give the same record', () => {
  const spec = findMethod('ping')!;
  assert.deepEqual(normalizeParams(spec, [id, 16]), { id, len: 16 });
  assert.deepEqual(normalizeParams(spec, { id, len: '16' }), { id, len: 16 });
});

test('bad params name the parameter and the expected form', () => {
  const spec = findMethod('ping')!;
  const cases: [unknown, RegExp][] = [
    [['nothex'], /'id': expected a 33-byte compressed public key/],
    [[id, -1], /'len': expected a non-negative integer/],
    [{ id, bogus: 1 }, /unknown parameter 'bogus'/],
    [[], /missing required parameter 'id'/],
    [[id, 1, 2, 3], /at most 3 parameter/],
    ['str', /array or an object/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(
      () => normalizeParams(spec, raw),
      (e: unknown) => e instanceof KiteError && e.code === RpcErrors.INVALID_PARAMS && re.test(e.message),
    );
  }
});

test('dispatcher validates before the handler and provides help', async () => {
  let seen: unknown = null;
  const d = createDispatcher(METHODS, {
    ping: async (p) => {
      seen = p;
      return { ok: true };
    },
  });
  assert.deepEqual(await d.call('ping', [id]), { ok: true });
  assert.deepEqual(seen, { id });
  await assert.rejects(d.call('ping', ['x']), (e: KiteError) => e.code === RpcErrors.INVALID_PARAMS);
  await assert.rejects(d.call('nosuch', []), (e: KiteError) => e.code === RpcErrors.METHOD_NOT_FOUND);
  const help = (await d.call('help', [])) as { help: { command: string }[] };
  assert.ok(help.help.some((h) => h.command === usage(findMethod('ping')!)));
  assert.ok(!help.help.some((h) => h.command.startsWith('getinfo')), 'methods without handlers are not offered');
});

test('stream splitting finds whole JSON objects, strings with braces included', () => {
  const a = toJson({ method: 'x', params: { s: '}{"' } });
  const r = splitJsonObjects(a + '\n' + a + '{"partial":');
  assert.equal(r.objects.length, 2);
  assert.deepEqual(JSON.parse(r.objects[1]), { method: 'x', params: { s: '}{"' } });
  assert.equal(r.rest, '{"partial":');
  assert.equal(splitJsonObjects('garbage{}').rest, 'garbage{}');
});

test('bigint and bytes render at the edge', () => {
  assert.equal(toJson({ amount_msat: 5n, id: Uint8Array.of(1, 255) }), '{"amount_msat":5,"id":"01ff"}');
  assert.equal(toJson({ big: 2n ** 60n }), '{"big":"1152921504606846976"}');
});

test('docs/rpc.md is generated from the registry and up to date', async () => {
  const { readFileSync } = await import('node:fs');
  const { renderRpcDocs } = await import('../../scripts/gen-rpc-docs.ts');
  const onDisk = readFileSync(new URL('../../docs/rpc.md', import.meta.url), 'utf8');
  assert.equal(onDisk, renderRpcDocs(), 'run: npx tsx scripts/gen-rpc-docs.ts');
});
