/**
 * BIP39 mnemonics for the on-chain wallet (via @scure/bip39, English wordlist). Randomness
 * is injected, so the wallet stays free of I/O; the daemon passes the crypto facade's
 * `randomBytes`.
 */
import { entropyToMnemonic, mnemonicToSeedSync, validateMnemonic as validate } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { KiteError } from '../lib/index.ts';
import { WALLET_ERRORS } from './errors.ts';

/**
 * generateMnemonic makes a new 24-word BIP39 mnemonic from 32 bytes of injected entropy
 * (BIP39: "The allowed size of ENT is 128-256 bits").
 */
export function generateMnemonic(random: (n: number) => Uint8Array, words: 12 | 24 = 24): string {
  const entropy = random(words === 24 ? 32 : 16);
  return entropyToMnemonic(entropy, wordlist);
}

/** validateMnemonic checks the words and the BIP39 checksum. */
export function validateMnemonic(mnemonic: string): boolean {
  return validate(normalize(mnemonic), wordlist);
}

/**
 * mnemonicToSeed derives the 64-byte BIP39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt
 * "mnemonic" + passphrase). Throws a KiteError for an invalid mnemonic.
 */
export function mnemonicToSeed(mnemonic: string, passphrase = ''): Uint8Array {
  const m = normalize(mnemonic);
  if (!validate(m, wordlist)) throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, 'mnemonic: not a valid BIP39 English mnemonic (bad word or checksum)');
  return mnemonicToSeedSync(m, passphrase);
}

function normalize(m: string): string {
  return m.trim().toLowerCase().split(/\s+/).join(' ');
}
