/**
 * One direction of an established BOLT 8 session: a ChaCha20-Poly1305 key, its 64-bit nonce,
 * and the chaining key used to rotate it every 1000 uses.
 */
import { aeadDecrypt, aeadEncrypt, hkdf2 } from '../crypto/index.ts';

const EMPTY = new Uint8Array(0);

/** The number of encryptions or decryptions after which a key is rotated (BOLT 8). */
export const KEY_ROTATION_INTERVAL = 1000;

/**
 * writeNonce encodes a BOLT 8 nonce into a 12-byte buffer.
 * BOLT #8: "with nonce `n` encoded as 32 zero bits, followed by a *little-endian* 64-bit value."
 * Nonces here never exceed 1000 (they reset on rotation), so the value always fits a u32.
 */
export function writeNonce(out: Uint8Array, n: number): Uint8Array {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  out[4] = n & 0xff;
  out[5] = (n >>> 8) & 0xff;
  out[6] = (n >>> 16) & 0xff;
  out[7] = (n >>> 24) & 0xff;
  out[8] = 0;
  out[9] = 0;
  out[10] = 0;
  out[11] = 0;
  return out;
}

/**
 * CipherState holds `sk`/`sn`/`sck` (sending) or `rk`/`rn`/`rck` (receiving) of one side of a
 * session. It is not thread-shared: each direction owns one, and every call advances the nonce.
 */
export class CipherState {
  private key: Uint8Array;
  private ck: Uint8Array;
  private n = 0;
  /** Reused nonce buffer: the AEAD backend copies it, so one per state is enough. */
  private readonly nonceBuf = new Uint8Array(12);

  /** Creates a state from a key and the chaining key (BOLT 8: "`rck = sck = ck`"). */
  constructor(key: Uint8Array, chainingKey: Uint8Array) {
    if (key.length !== 32 || chainingKey.length !== 32) throw new RangeError('CipherState keys must be 32 bytes');
    this.key = Uint8Array.from(key);
    this.ck = Uint8Array.from(chainingKey);
  }

  /** The current key (for tests and diagnostics). */
  get currentKey(): Uint8Array {
    return this.key;
  }

  /** The current nonce (0..999). */
  get nonce(): number {
    return this.n;
  }

  /**
   * encrypt seals `plaintext` with an empty AD under the current key and nonce, then
   * advances the nonce (rotating the key after its 1000th use). Returns ciphertext || tag.
   */
  encrypt(plaintext: Uint8Array): Uint8Array {
    const out = aeadEncrypt(this.key, writeNonce(this.nonceBuf, this.n), EMPTY, plaintext);
    this.advance();
    return out;
  }

  /**
   * decrypt opens ciphertext || tag with an empty AD, or returns null when the tag does not
   * verify. The nonce advances only on success; after a failure the session must be dropped.
   */
  decrypt(sealed: Uint8Array): Uint8Array | null {
    const out = aeadDecrypt(this.key, writeNonce(this.nonceBuf, this.n), EMPTY, sealed);
    if (out === null) return null;
    this.advance();
    return out;
  }

  /**
   * advance increments the nonce and rotates the key when it reaches 1000.
   * BOLT #8: "A key is to be rotated after a party encrypts or decrypts 1000 times with it
   * (i.e. every 500 messages). This can be properly accounted for by rotating the key once
   * the nonce dedicated to it reaches 1000."
   */
  private advance(): void {
    this.n++;
    if (this.n === KEY_ROTATION_INTERVAL) {
      // BOLT #8: "`ck', k' = HKDF(ck, k)`", "Reset the nonce for the key to `n = 0`."
      const [ck2, k2] = hkdf2(this.ck, this.key);
      this.ck = ck2;
      this.key = k2;
      this.n = 0;
    }
  }
}
