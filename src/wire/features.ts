/**
 * Feature bits (BOLT #9 "Assigned Feature Flags"; BOLT #1 "The `init` Message").
 *
 * A feature vector is a big-endian byte string whose bit 0 is the least-significant bit of
 * the last byte. Features come in pairs: the even bit means "required" (compulsory), the
 * odd bit "optional" (BOLT #1: "The least-significant bit is numbered 0, which is _even_,
 * and the next most significant bit is numbered 1, which is _odd_").
 */
import { fromHex, toHex } from '../lib/bytes.ts';
import { DecodeError } from '../lib/errors.ts';

/**
 * Where a feature may appear (BOLT #9 "Context column"): `I` init, `N` node_announcement,
 * `C` channel_announcement (`C-` always odd, `C+` always even), `9` BOLT 11 invoices, `B`
 * blinded path `allowed_features`, `T` `channel_type`.
 */
export type FeatureContext = 'I' | 'N' | 'C' | 'C-' | 'C+' | '9' | 'B' | 'T';

/** One row of the BOLT #9 table. */
export interface FeatureInfo {
  /** Spec name, e.g. `option_anchors`. */
  readonly name: string;
  /** The even (required) bit; the odd (optional) bit is `bit + 1`. */
  readonly bit: number;
  /** Contexts from the table; empty for `ASSUMED` features. */
  readonly contexts: readonly FeatureContext[];
  /** Names of features this one depends on. */
  readonly dependencies: readonly string[];
  /**
   * BOLT #9: "Some features were introduced and became so widespread they are `ASSUMED` to
   * be present by all nodes". Kite still sets these (their even bit) for older peers.
   */
  readonly assumed: boolean;
}

const f = (name: string, bit: number, contexts: string, dependencies: string[] = [], assumed = false): FeatureInfo => ({
  name,
  bit,
  contexts: (contexts.match(/C[-+]|[INC9BT]/g) ?? []) as FeatureContext[],
  dependencies,
  assumed,
});

/** KNOWN_FEATURES: the BOLT #9 table (test/wire/features.test.ts checks it against the spec). */
export const KNOWN_FEATURES: readonly FeatureInfo[] = [
  f('option_data_loss_protect', 0, '', [], true),
  f('option_upfront_shutdown_script', 4, 'IN'),
  f('gossip_queries', 6, ''),
  f('var_onion_optin', 8, '', [], true),
  f('gossip_queries_ex', 10, 'IN'),
  f('option_static_remotekey', 12, '', [], true),
  f('payment_secret', 14, '', [], true),
  f('basic_mpp', 16, 'IN9', ['payment_secret']),
  f('option_support_large_channel', 18, 'IN'),
  f('option_anchors', 22, 'INT'),
  f('option_route_blinding', 24, 'IN9'),
  f('option_shutdown_anysegwit', 26, 'IN'),
  f('option_dual_fund', 28, 'IN'),
  f('option_quiesce', 34, 'IN'),
  f('option_attribution_data', 36, 'IN9'),
  f('option_onion_messages', 38, 'IN'),
  f('option_provide_storage', 42, 'IN'),
  f('option_channel_type', 44, '', [], true),
  f('option_scid_alias', 46, 'INT'),
  f('option_payment_metadata', 48, '9'),
  f('option_zeroconf', 50, 'INT', ['option_scid_alias']),
  f('option_simple_close', 60, 'IN', ['option_shutdown_anysegwit']),
  f('option_splice', 62, 'IN'),
];

/** FeatureName is the name of a known feature. */
export type FeatureName = string;

const BY_NAME = new Map(KNOWN_FEATURES.map((x) => [x.name, x]));
const BY_BIT = new Map<number, FeatureInfo>();
for (const x of KNOWN_FEATURES) {
  BY_BIT.set(x.bit, x);
  BY_BIT.set(x.bit + 1, x);
}

/**
 * Contexts where a feature may appear. `ASSUMED` features (empty context in today's table)
 * were once presented in `init`, `node_announcement` and invoices; `option_static_remotekey`
 * also still names a channel type (BOLT #2 "Defined Channel Types": "`option_static_remotekey`
 * (bit 12)"). Features with an empty context that are not ASSUMED (`gossip_queries`) keep
 * their historical I/N contexts.
 */
function effectiveContexts(x: FeatureInfo): readonly FeatureContext[] {
  if (x.contexts.length > 0) return x.contexts;
  if (x.name === 'option_static_remotekey') return ['I', 'N', 'T'];
  if (x.name === 'var_onion_optin' || x.name === 'payment_secret') return ['I', 'N', '9'];
  return ['I', 'N'];
}

/** featureInfo looks a feature up by name or by either of its bits. */
export function featureInfo(key: string | number): FeatureInfo | undefined {
  return typeof key === 'number' ? BY_BIT.get(key) : BY_NAME.get(key);
}

function resolveBit(key: string | number, mode: 'required' | 'optional'): number {
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0 || key > 0xffff * 8) throw new RangeError(`feature bit out of range: ${key}`);
    return key;
  }
  const info = BY_NAME.get(key);
  if (!info) throw new RangeError(`unknown feature ${key}`);
  return mode === 'required' ? info.bit : info.bit + 1;
}

/** evenBitOf maps a feature name, or either bit of a pair, to the pair's even bit. */
function evenBitOf(key: string | number): number {
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0) throw new RangeError(`feature bit out of range: ${key}`);
    return key & ~1;
  }
  const info = BY_NAME.get(key);
  if (!info) throw new RangeError(`unknown feature ${key}`);
  return info.bit;
}

/**
 * Features is a mutable feature bit vector of any length. Bits are addressed by number or by
 * BOLT #9 name; `set(name)` sets the optional (odd) bit unless asked for `required`.
 */
export class Features {
  private readonly bits = new Set<number>();

  /** fromBytes decodes a big-endian feature field of any length. */
  static fromBytes(b: Uint8Array): Features {
    const out = new Features();
    const n = b.length;
    for (let i = 0; i < n; i++) {
      const byte = b[n - 1 - i];
      if (byte === 0) continue;
      for (let j = 0; j < 8; j++) if (byte & (1 << j)) out.bits.add(i * 8 + j);
    }
    return out;
  }

  /** fromHex decodes hex (an RPC edge helper). */
  static fromHex(h: string): Features {
    return Features.fromBytes(fromHex(h));
  }

  /** fromBits builds a vector from bit numbers. */
  static fromBits(bits: Iterable<number>): Features {
    const out = new Features();
    for (const b of bits) out.set(b);
    return out;
  }

  /**
   * set sets a bit (number) or a feature (name; `optional` by default). Returns this.
   * BOLT #9: "MUST NOT set both the optional and mandatory bits" — setting a named feature
   * clears its other bit.
   */
  set(key: string | number, mode: 'required' | 'optional' = 'optional'): this {
    const bit = resolveBit(key, mode);
    if (typeof key === 'string') this.bits.delete(bit ^ 1);
    this.bits.add(bit);
    return this;
  }

  /** unset clears a bit (number) or both bits of a feature (name). */
  unset(key: string | number): this {
    if (typeof key === 'number') this.bits.delete(key);
    else {
      const info = BY_NAME.get(key);
      if (!info) throw new RangeError(`unknown feature ${key}`);
      this.bits.delete(info.bit);
      this.bits.delete(info.bit + 1);
    }
    return this;
  }

  /** has: a bit number is set, or a named feature is offered (either of its bits). */
  has(key: string | number): boolean {
    if (typeof key === 'number') return this.bits.has(key);
    const info = BY_NAME.get(key);
    if (!info) throw new RangeError(`unknown feature ${key}`);
    return this.bits.has(info.bit) || this.bits.has(info.bit + 1);
  }

  /**
   * isRequired: the even bit of the feature (a name, or either bit of a pair) is set. BOLT #9: "if both the optional and the
   * mandatory feature bits in a pair are set, the feature should be treated as mandatory."
   */
  isRequired(key: string | number): boolean {
    return this.bits.has(evenBitOf(key));
  }

  /** isOptional: only the odd bit of the feature (a name, or either bit of a pair) is set. */
  isOptional(key: string | number): boolean {
    const even = evenBitOf(key);
    return this.bits.has(even + 1) && !this.bits.has(even);
  }

  /** bitList returns the set bits in increasing order. */
  bitList(): number[] {
    return [...this.bits].sort((a, b) => a - b);
  }

  /** names lists known features offered, with their mode. */
  names(): { name: string; required: boolean }[] {
    const out: { name: string; required: boolean }[] = [];
    for (const x of KNOWN_FEATURES) if (this.has(x.name)) out.push({ name: x.name, required: this.bits.has(x.bit) });
    return out;
  }

  /** unknownBits lists set bits that BOLT #9 does not assign. */
  unknownBits(): number[] {
    return this.bitList().filter((b) => !BY_BIT.has(b));
  }

  /** union returns a new vector with the bits of both (BOLT #1 combines `globalfeatures` and `features` this way). */
  union(other: Features): Features {
    return Features.fromBits([...this.bits, ...other.bits]);
  }

  /** clone copies the vector. */
  clone(): Features {
    return Features.fromBits(this.bits);
  }

  /** equals compares the set bits. */
  equals(other: Features): boolean {
    if (other.bits.size !== this.bits.size) return false;
    for (const b of this.bits) if (!other.bits.has(b)) return false;
    return true;
  }

  /**
   * toBytes encodes the minimal big-endian field. BOLT #1: "SHOULD use the minimum length
   * required to represent the `features` field."
   */
  toBytes(): Uint8Array {
    let max = -1;
    for (const b of this.bits) if (b > max) max = b;
    const len = max < 0 ? 0 : (max >> 3) + 1;
    const out = new Uint8Array(len);
    for (const b of this.bits) out[len - 1 - (b >> 3)] |= 1 << (b & 7);
    return out;
  }

  /** toHex is toBytes as hex (for RPC and logs). */
  toHex(): string {
    return toHex(this.toBytes());
  }

  toString(): string {
    return this.names()
      .map((n) => `${n.name}${n.required ? '' : '?'}`)
      .concat(this.unknownBits().map((b) => `bit${b}`))
      .join(',');
  }
}

/**
 * combineInitFeatures ORs `init`'s two bitmaps. BOLT #1: "MUST combine (bitwise OR) the two
 * feature bitmaps into one logical `features` map."
 */
export function combineInitFeatures(globalfeatures: Uint8Array, features: Uint8Array): Features {
  return Features.fromBytes(globalfeatures).union(Features.fromBytes(features));
}

/** FeatureCheck is the result of a feature validation: ok, or a reason to refuse. */
export type FeatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * validateFeatures checks a vector received in a given context:
 *  - BOLT #1: "upon receiving unknown _even_ feature bits that are non-zero: MUST close the
 *    connection." (the reason names the bit)
 *  - BOLT #1: "if the feature vector does not set all known, transitive dependencies: MUST
 *    close the connection."
 *  - BOLT #9: "MUST NOT set feature bits in fields not specified by the table above" (a known
 *    feature outside its contexts), and the `C-`/`C+` parity rules.
 */
export function validateFeatures(features: Features, context: FeatureContext): FeatureCheck {
  for (const b of features.unknownBits()) {
    if (b % 2 === 0) return { ok: false, reason: `unknown even feature bit ${b} is set` };
  }
  for (const x of KNOWN_FEATURES) {
    if (!features.has(x.name)) continue;
    const ctx = effectiveContexts(x);
    const allowed = ctx.includes(context) || (context === 'C' && (ctx.includes('C-') || ctx.includes('C+')));
    if (!allowed) return { ok: false, reason: `feature ${x.name} (bits ${x.bit}/${x.bit + 1}) is not allowed in context ${context}` };
    if (context === 'C' && ctx.includes('C-') && features.has(x.bit)) return { ok: false, reason: `feature ${x.name} must be odd in channel_announcement` };
    if (context === 'C' && ctx.includes('C+') && features.has(x.bit + 1)) return { ok: false, reason: `feature ${x.name} must be even in channel_announcement` };
  }
  const missing = missingDependency(features);
  if (missing) return { ok: false, reason: missing };
  return { ok: true };
}

/** missingDependency names the first feature whose (transitive) dependency is not set. */
export function missingDependency(features: Features): string | null {
  for (const x of KNOWN_FEATURES) {
    if (!features.has(x.name)) continue;
    const stack = [...x.dependencies];
    const seen = new Set<string>();
    while (stack.length) {
      const d = stack.pop()!;
      if (seen.has(d)) continue;
      seen.add(d);
      if (!features.has(d)) return `feature ${x.name} is set but its dependency ${d} is missing`;
      stack.push(...(BY_NAME.get(d)?.dependencies ?? []));
    }
  }
  return null;
}

/** Kite's required (even) features: ASSUMED by today's network and relied on by Kite. */
export const KITE_REQUIRED: readonly string[] = ['option_data_loss_protect', 'var_onion_optin', 'option_static_remotekey', 'payment_secret', 'option_channel_type'];

/**
 * Kite's optional (odd) features: only what Kite implements. Not advertised (yet):
 * option_scid_alias, option_zeroconf, option_simple_close, option_route_blinding,
 * option_dual_fund, option_quiesce, option_splice, option_onion_messages,
 * option_provide_storage, option_attribution_data.
 */
export const KITE_OPTIONAL: readonly string[] = [
  'option_upfront_shutdown_script',
  'gossip_queries',
  'gossip_queries_ex',
  'basic_mpp',
  'option_support_large_channel',
  'option_anchors',
  'option_shutdown_anysegwit',
];

function build(required: readonly string[], optional: readonly string[]): Features {
  const out = new Features();
  for (const n of required) out.set(n, 'required');
  for (const n of optional) out.set(n, 'optional');
  return out;
}

/** kiteInitFeatures: the feature vector Kite sends in `init`. */
export function kiteInitFeatures(): Features {
  return build(KITE_REQUIRED, KITE_OPTIONAL);
}

/** kiteNodeFeatures: the vector for Kite's `node_announcement` (context `N`). */
export function kiteNodeFeatures(): Features {
  return build(KITE_REQUIRED, KITE_OPTIONAL);
}

/**
 * kiteInvoiceFeatures: the vector for Kite's BOLT 11 invoices (context `9`): var_onion_optin
 * and payment_secret required, basic_mpp optional.
 */
export function kiteInvoiceFeatures(): Features {
  return build(['var_onion_optin', 'payment_secret'], ['basic_mpp']);
}

/**
 * checkRemoteInitFeatures decides whether a peer's `init` features (globalfeatures OR-ed
 * with features) let us keep the connection:
 *  - the generic checks of validateFeatures in context `I`;
 *  - every even bit the peer sets is one we support (an even bit is the peer telling us it
 *    cannot work without the feature);
 *  - every feature we require is offered by the peer (otherwise it cannot honour our
 *    even bits: BOLT #1 "A feature is *negotiated* if either both peers offered it, or the
 *    local node offered it as even").
 */
export function checkRemoteInitFeatures(remote: Features, local: Features = kiteInitFeatures()): FeatureCheck {
  const v = validateFeatures(remote, 'I');
  if (!v.ok) return v;
  for (const b of remote.bitList()) {
    if (b % 2 !== 0) continue;
    if (!local.has(b) && !local.has(b + 1)) return { ok: false, reason: `peer requires feature bit ${b} (${featureInfo(b)?.name ?? 'unknown'}) which we do not support` };
  }
  for (const b of local.bitList()) {
    if (b % 2 !== 0) continue;
    if (!remote.has(b) && !remote.has(b + 1)) return { ok: false, reason: `we require feature bit ${b} (${featureInfo(b)?.name ?? 'unknown'}) which the peer does not offer` };
  }
  return { ok: true };
}

/**
 * decodeFeatures is Features.fromBytes that throws DecodeError for unknown even bits
 * (for callers that treat that as a parse failure).
 */
export function decodeFeatures(b: Uint8Array, context: FeatureContext): Features {
  const out = Features.fromBytes(b);
  const v = validateFeatures(out, context);
  if (!v.ok) throw new DecodeError(v.reason);
  return out;
}

/**
 * negotiated: a feature counts as negotiated (BOLT #1) when both offered it, or the local
 * node offered it as even.
 */
export function negotiated(local: Features, remote: Features, name: string): boolean {
  return (local.has(name) && remote.has(name)) || local.isRequired(name);
}
