/**
 * Writes docs/rpc.md from the method registry (src/rpc/methods.ts), so the reference can
 * never drift from what the daemon validates. `npx tsx scripts/gen-rpc-docs.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METHODS } from '../src/rpc/methods.ts';
import { describeForm, usage } from '../src/rpc/schema.ts';
import { RpcErrors } from '../src/rpc/errors.ts';

/** codeMeanings reads each code's doc comment from the one table, src/lib/error-codes.ts. */
function codeMeanings(): Map<string, string> {
  const text = readFileSync(new URL('../src/lib/error-codes.ts', import.meta.url), 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\/\*\*\s*([^*]+?)\s*\*\/\s*\n\s*([A-Z_]+):/g)) out.set(m[2]!, m[1]!.replace(/\s+/g, ' '));
  return out;
}

/** renderRpcDocs renders the markdown reference. */
export function renderRpcDocs(): string {
  const meaning = codeMeanings();
  const out: string[] = [
    '# RPC reference',
    '',
    'Generated from `src/rpc/methods.ts` by `scripts/gen-rpc-docs.ts`; do not edit by hand.',
    '',
    'Every method is reachable three ways: `kite <method> [args]` (positional, or `-k key=value`),',
    'JSON-RPC 2.0 on the unix socket `<kite-dir>/<network>/kite-rpc` (named or positional',
    'params), and `POST /v1/<method>` on the HTTP address with `Authorization: Bearer <rpc-token>`',
    'and a JSON object of named params as the body.',
    '',
    '## Error codes',
    '',
    '| code | name | meaning |',
    '| --- | --- | --- |',
    ...Object.entries(RpcErrors).map(([k, v]) => `| ${v} | ${k} | ${meaning.get(k) ?? ''} |`),
    '',
    '## Methods',
    '',
  ];
  for (const m of METHODS) {
    out.push(`### ${m.name}`, '', m.summary, '', '```', usage(m), '```', '');
    if (m.aliases?.length) out.push(`Aliases: ${m.aliases.join(', ')}`, '');
    if (m.developer) out.push('Only with `kited --developer` (refused on mainnet).', '');
    if (m.params.length) {
      out.push('| param | required | form | meaning |', '| --- | --- | --- | --- |');
      for (const p of m.params) out.push(`| ${p.name} | ${p.required ? 'yes' : 'no'} | ${describeForm(p.type)} | ${p.description} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('../docs/rpc.md', import.meta.url), renderRpcDocs());
}
