/**
 * Reads BOLT 8 Appendix A from the shared spec checkout (never retyped) and parses the
 * initiator, responder and message-encryption cases.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/lib/index.ts';

/** The whole of 08-transport.md. */
export function bolt8Text(): string {
  return readFileSync(new URL('../../../shared/spec/bolts/08-transport.md', import.meta.url), 'utf8');
}

/** sectionOf returns the text under a heading up to the next heading of any level. */
function sectionOf(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^#+ /.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** A case: its name and its non-comment "key: value" / "key=value" lines in order. */
export interface SpecCase {
  name: string;
  fields: [string, string][];
}

function parseCases(block: string): SpecCase[] {
  const cases: SpecCase[] = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('```')) continue;
    const m = line.match(/^([A-Za-z0-9. ]+?)\s*(?::|=)\s*(.*)$/);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'name') cases.push({ name: value, fields: [] });
    else if (cases.length > 0) cases[cases.length - 1]!.fields.push([key, value]);
  }
  return cases;
}

/** The "Initiator Tests" cases. */
export function initiatorCases(): SpecCase[] {
  return parseCases(sectionOf(bolt8Text(), '## Initiator Tests'));
}

/** The "Responder Tests" cases. */
export function responderCases(): SpecCase[] {
  return parseCases(sectionOf(bolt8Text(), '## Responder Tests'));
}

/** The "Message Encryption Tests" case(s). */
export function messageCases(): SpecCase[] {
  return parseCases(sectionOf(bolt8Text(), '## Message Encryption Tests'));
}

/** hex parses "0x..." or bare hex. */
export function hex(s: string): Uint8Array {
  return fromHex(s.trim().replace(/^0x/, ''));
}

/** field returns the first value of `key`. */
export function field(c: SpecCase, key: string): string {
  const f = c.fields.find(([k]) => k === key);
  if (!f) throw new Error(`${c.name}: no field ${key}`);
  return f[1];
}

/** errorCode extracts "ACT2_BAD_TAG" from "ERROR (ACT2_BAD_TAG)" / "ERROR (ACT3_BAD_VERSION 1)". */
export function errorCode(output: string): string | null {
  const m = output.match(/^ERROR \((\w+)/);
  return m ? m[1]! : null;
}
