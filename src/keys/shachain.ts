/**
 * BOLT #3 "Efficient Per-commitment Secret Storage" (shachain): the receiver keeps at most
 * 49 (secret, index) pairs and can rebuild every secret received so far from them.
 */
import { DecodeError, Reader, Writer, equalBytes } from '../lib/index.ts';
import { deriveSecret, FIRST_PER_COMMITMENT_INDEX } from './per-commitment.ts';

/** One stored bucket: a secret and its index. */
export interface ShachainEntry {
  readonly index: bigint;
  readonly secret: Uint8Array;
}

/**
 * whereToPutSecret counts trailing zeros of the index (48 for index 0, the seed itself).
 *
 * BOLT #3: `where_to_put_secret(I)`, "a.k.a. count trailing 0s".
 */
export function whereToPutSecret(index: bigint): number {
  for (let b = 0; b < 48; b++) if ((index >> BigInt(b)) & 1n) return b;
  return 48;
}

/**
 * ShachainStore holds the counterparty's revealed per-commitment secrets compactly. Secrets
 * must arrive in descending index order starting at 2^48 - 1; a secret that does not
 * generate the ones already stored is rejected (the peer is misbehaving).
 */
export class ShachainStore {
  /** known[b] is the entry whose index has b trailing zeros (undefined until received). */
  private readonly known: (ShachainEntry | undefined)[] = [];
  private next: bigint | null = null;

  /** The index the next inserted secret must have (2^48 - 1 for an empty store). */
  get nextIndex(): bigint {
    return this.next ?? FIRST_PER_COMMITMENT_INDEX;
  }

  /** Number of secrets received so far. */
  get count(): bigint {
    return FIRST_PER_COMMITMENT_INDEX - this.nextIndex;
  }

  /**
   * insert stores the secret for `index`, checking it against every stored secret it can
   * derive. Returns false (and stores nothing) if the check fails.
   *
   * BOLT #3: "A double-check, that all previous secrets derive correctly, is needed; if
   * this check fails, the secrets were not generated from the same seed".
   */
  insert(index: bigint, secret: Uint8Array): boolean {
    if (secret.length !== 32) return false;
    if (index < 0n || index > FIRST_PER_COMMITMENT_INDEX) return false;
    if (index !== this.nextIndex) return false;
    const pos = whereToPutSecret(index);
    for (let b = 0; b < pos; b++) {
      const k = this.known[b];
      if (k === undefined) continue;
      if (!equalBytes(deriveSecret(secret, pos, k.index), k.secret)) return false;
    }
    this.known[pos] = { index, secret: Uint8Array.from(secret) };
    this.next = index - 1n;
    return true;
  }

  /**
   * derive returns the secret for an index already covered by a received secret, or null.
   *
   * BOLT #3: `derive_old_secret(I)`.
   */
  derive(index: bigint): Uint8Array | null {
    if (index < 0n || index > FIRST_PER_COMMITMENT_INDEX) return null;
    for (let b = 0; b < this.known.length; b++) {
      const k = this.known[b];
      if (k === undefined) continue;
      const mask = ~((1n << BigInt(b)) - 1n) & FIRST_PER_COMMITMENT_INDEX;
      if ((index & mask) === k.index) return deriveSecret(k.secret, b, index);
    }
    return null;
  }

  /** entries lists the stored buckets (for persistence and inspection). */
  entries(): ShachainEntry[] {
    return this.known.filter((e): e is ShachainEntry => e !== undefined);
  }

  /**
   * serialize encodes the store: u64 next index, u8 count, then (u8 bucket, u64 index,
   * 32-byte secret) per entry.
   */
  serialize(): Uint8Array {
    const w = new Writer();
    w.u64(this.nextIndex);
    const es = this.known.map((e, b) => [b, e] as const).filter((x): x is readonly [number, ShachainEntry] => x[1] !== undefined);
    w.u8(es.length);
    for (const [b, e] of es) {
      w.u8(b);
      w.u64(e.index);
      w.bytes(e.secret);
    }
    return w.finish();
  }

  /** deserialize is serialize's inverse; throws DecodeError on malformed input. */
  static deserialize(bytes: Uint8Array): ShachainStore {
    const r = new Reader(bytes);
    const s = new ShachainStore();
    const next = r.u64();
    if (next > FIRST_PER_COMMITMENT_INDEX) throw new DecodeError('shachain: next index out of range');
    s.next = next === FIRST_PER_COMMITMENT_INDEX ? null : next;
    const n = r.u8();
    for (let i = 0; i < n; i++) {
      const b = r.u8();
      const index = r.u64();
      const secret = r.bytes(32);
      if (b > 48 || whereToPutSecret(index) !== b) throw new DecodeError('shachain: bucket does not match index');
      s.known[b] = { index, secret };
    }
    if (!r.done()) throw new DecodeError('shachain: trailing bytes');
    return s;
  }
}
