/**
 * Reads the BOLT markdown files from the shared spec checkout (never retyped) and extracts
 * the BOLT #1 appendix vectors and the message/TLV definitions.
 */
import { readFileSync } from 'node:fs';

/** boltText returns the whole of a BOLT markdown file, e.g. `01-messaging.md`. */
export function boltText(file: string): string {
  return readFileSync(new URL(`../../../shared/spec/bolts/${file}`, import.meta.url), 'utf8');
}

/** specJson reads a JSON file under the spec's bolts folder. */
export function specFile(path: string): string {
  return readFileSync(new URL(`../../../shared/spec/bolts/${path}`, import.meta.url), 'utf8');
}

/** section returns the text from a heading line up to the next heading of the same or higher level. */
export function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  const level = /^#+/.exec(heading)![0].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^(#+) /.exec(lines[i]!);
    if (m && m[1]!.length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** jsonBlocks returns the ```json fenced blocks of a text, parsed with every integer as a decimal string. */
export function jsonBlocks(text: string): unknown[] {
  const out: unknown[] = [];
  const re = /```json\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    // Integers beyond 2^53 lose precision in JSON.parse: quote them all and use BigInt.
    out.push(JSON.parse(m[1]!.replace(/:\s*(-?\d+)\s*([,}\n])/g, ': "$1"$2')));
  }
  return out;
}

/** A TLV test stream from Appendix B. */
export interface TlvCase {
  hex: string;
  /** `Reason:` or `Explanation:` or `Values:` text. */
  note: string;
  /** Namespaces it applies to. */
  namespaces: ('n1' | 'n2')[];
  /** Whether it must decode. */
  valid: boolean;
}

/**
 * appendixB parses "1. Invalid stream: 0x.." / "1. Valid stream: 0x.." items with the
 * paragraph that introduces them ("The following TLV streams in namespace `n1` should
 * trigger a decoding failure:").
 */
export function appendixB(): TlvCase[] {
  const text = section(boltText('01-messaging.md'), '## Appendix B: Type-Length-Value Test Vectors');
  const lines = text.split('\n');
  const out: TlvCase[] = [];
  let namespaces: ('n1' | 'n2')[] = ['n1', 'n2'];
  let valid = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('The following') || l.startsWith('In addition')) {
      // The paragraph may wrap onto the next line.
      const para = l + ' ' + (lines[i + 1] ?? '').trim();
      if (!/stream/.test(para)) continue;
      const n1 = /`n1`/.test(para);
      const n2 = /`n2`/.test(para);
      namespaces = n1 && !n2 ? ['n1'] : n2 && !n1 ? ['n2'] : ['n1', 'n2'];
      valid = /correctly decode/.test(para);
      if (!valid && !/failure/.test(para)) throw new Error(`cannot classify paragraph: ${para}`);
      continue;
    }
    const m = /^1\. (Invalid|Valid) stream: 0x([0-9a-f ]*)$/.exec(l);
    if (!m) continue;
    if ((m[1] === 'Valid') !== valid) throw new Error(`stream kind disagrees with its paragraph: ${l}`);
    const note = /^2\. (?:Reason|Explanation|Values): (.*)$/.exec(lines[i + 1]!.trim());
    if (!note) throw new Error(`no reason after ${l}`);
    out.push({ hex: m[2]!.replace(/ /g, ''), note: note[1]!, namespaces, valid });
  }
  return out;
}

/** appendixC returns the valid and invalid `init` messages of "Appendix C: Message Extension". */
export function appendixC(): { hex: string; valid: boolean; note: string }[] {
  const text = section(boltText('01-messaging.md'), '## Appendix C: Message Extension');
  const out: { hex: string; valid: boolean; note: string }[] = [];
  let valid: boolean | null = null;
  for (const line of text.split('\n')) {
    if (/messages are valid:/.test(line)) valid = true;
    else if (/messages are invalid:/.test(line)) valid = false;
    const m = /^- `0x([0-9a-f]+)`: (.*)$/.exec(line.trim());
    if (m && valid !== null) out.push({ hex: m[1]!, valid, note: m[2]! });
  }
  return out;
}

/** A field of a message or TLV record as the spec writes it: `[type:name]`. */
export interface SpecField {
  type: string;
  name: string;
}

/** A message definition parsed from a BOLT. */
export interface SpecMessage {
  name: string;
  type: number;
  fields: SpecField[];
  /** Name of the TLV stream in the last field, if any. */
  tlvStream?: string;
}

/** A TLV stream definition: record name → { type, fields }. */
export interface SpecTlvStream {
  name: string;
  records: { name: string; type: number; fields: SpecField[] }[];
}

/**
 * definitions parses every "1. type: N (`name`)" message and every "1. `tlv_stream`: `name`"
 * block of a BOLT markdown file.
 */
export function definitions(text: string): { messages: SpecMessage[]; streams: SpecTlvStream[] } {
  const lines = text.split('\n');
  const messages: SpecMessage[] = [];
  const streams: SpecTlvStream[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Messages start at the margin; TLV records are indented inside their stream.
    const msgHead = /^ ?1\. type: (\d+) \(`(\w+)`\)$/.exec(lines[i]!.trimEnd());
    if (msgHead && /^2\. data:/.test(lines[i + 1]?.trim() ?? '')) {
      const fields: SpecField[] = [];
      let j = i + 2;
      for (; j < lines.length; j++) {
        const f = /^\* \[`([^`]+)`:`([^`]+)`\]/.exec(lines[j]!.trim());
        if (!f) break;
        fields.push({ type: f[1]!, name: f[2]! });
      }
      const m: SpecMessage = { name: msgHead[2]!, type: Number(msgHead[1]), fields };
      const last = fields[fields.length - 1];
      if (last && last.name === 'tlvs') {
        m.tlvStream = last.type;
        fields.pop();
      }
      messages.push(m);
      continue;
    }
    const streamHead = /^1\. `tlv_stream`: `(\w+)`$/.exec(lines[i]!.trim());
    if (streamHead) {
      const s: SpecTlvStream = { name: streamHead[1]!, records: [] };
      let j = i + 2;
      for (; j < lines.length; j++) {
        const t = lines[j]!.trim();
        const rec = /^1\. type: (\d+) \(`(\w+)`\)$/.exec(t);
        if (rec) {
          s.records.push({ name: rec[2]!, type: Number(rec[1]), fields: [] });
          continue;
        }
        if (/^2\. data:/.test(t)) continue;
        const f = /^\* \[`([^`]+)`:`([^`]+)`\]/.exec(t);
        if (f && s.records.length) {
          s.records[s.records.length - 1]!.fields.push({ type: f[1]!, name: f[2]! });
          continue;
        }
        break;
      }
      streams.push(s);
    }
  }
  return { messages, streams };
}
