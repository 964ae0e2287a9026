/**
 * Reads BOLT #3 from the shared spec checkout (never retyped) and cuts it into sections.
 */
import { readFileSync } from 'node:fs';

/** The whole of 03-transactions.md. */
export function bolt3Text(): string {
  return readFileSync(new URL('../../../shared/spec/bolts/03-transactions.md', import.meta.url), 'utf8');
}

/** section returns the text from a heading line (exact match) to the next heading of level <= its own. */
export function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  const level = heading.match(/^#+/)![0].length;
  let end = lines.length;
  let inComment = false;
  for (let i = start + 1; i < lines.length; i++) {
    // "# ..." lines inside an HTML comment are not headings.
    if (lines[i]!.includes('<!--')) inComment = true;
    if (lines[i]!.includes('-->')) inComment = false;
    if (inComment) continue;
    const m = lines[i]!.match(/^(#+) /);
    if (m && m[1]!.length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** A test case: its name and its "key: value" lines in order (keys may repeat). */
export interface NamedCase {
  name: string;
  fields: [string, string][];
}

/** namedCases splits a block of "name: ..." cases with "key: value" lines. */
export function namedCases(block: string): NamedCase[] {
  const out: NamedCase[] = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    const m = line.match(/^([A-Za-z_][\w ]*?):\s*(.*)$/);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'name') out.push({ name: value, fields: [] });
    else if (out.length > 0) out[out.length - 1]!.fields.push([key, value]);
  }
  return out;
}

/** hex strips an optional 0x prefix. */
export function hex(v: string): string {
  return v.startsWith('0x') ? v.slice(2) : v;
}
