/**
 * Writes docs/rpc.md from the method registry (src/rpc/methods.ts), so the reference can
 * never drift from what the daemon validates. `npx tsx scripts/gen-rpc-docs.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METHODS } from '../src/rpc/methods.ts';
import { describeForm, usage } from '../src/rpc/schema.ts';
import { RpcErrors } from '../src/rpc/errors.ts';

/** renderRpcDocs renders the markdown reference. */
export function renderRpcDocs(): string {
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
    '| code | name |',
    '| --- | --- |',
    ...Object.entries(RpcErrors).map(([k, v]) => `| ${v} | ${k} |`),
    '',
    'Wallet errors: 301 cannot afford, 302 output would be dust, 310 unknown transaction, 311 already confirmed.',
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
