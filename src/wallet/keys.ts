/**
 * BIP32 key derivation for the wallet's addresses (via @scure/bip32): BIP84 P2WPKH and
 * BIP86 P2TR (key-path only).
 *
 * BIP84: "m / purpose' / coin_type' / account' / change / address_index" with purpose 84
 * (BIP86: purpose 86); coin_type 0 on mainnet and 1 on testnets (SLIP-44), which Kite also
 * uses for signet and regtest as Bitcoin Core does. change 0 is the receive chain, 1 the
 * change chain.
 */
import { HDKey } from '@scure/bip32';
import { p2trScript, p2wpkhScript, scriptToAddress, type Network } from '../bitcoin/index.ts';
import { getPublicKey, hash160, privNegate, privTweakAdd, pubTweakAdd, taggedHash } from '../crypto/index.ts';
import { KiteError, concatBytes } from '../lib/index.ts';
import { WALLET_ERRORS } from './errors.ts';

/** Output types the wallet derives. */
export type AddressType = 'p2wpkh' | 'p2tr';

/** A derived wallet key with its script and address. */
export interface DerivedKey {
  type: AddressType;
  path: string;
  change: 0 | 1;
  index: number;
  privateKey: Uint8Array;
  /** 33-byte compressed public key. */
  publicKey: Uint8Array;
  /** P2WPKH: OP_0 <hash160(pubkey)>; P2TR: OP_1 <output key>. */
  script: Uint8Array;
  address: string;
  /** The key that signs: the private key, or for P2TR the BIP86-tweaked one. */
  signingKey: Uint8Array;
}

/**
 * bip86Tweak returns the P2TR output key and the tweaked private key of a BIP86 key (no
 * script tree). BIP86: "the output key is Q = P + int(hashTapTweak(bytes(P)))G" where P is
 * the internal key with even Y (BIP340), so the private key is negated when P's Y is odd.
 */
export function bip86Tweak(privateKey: Uint8Array): { internalKey: Uint8Array; outputKey: Uint8Array; tweakedPrivateKey: Uint8Array } {
  const pub = getPublicKey(privateKey, true);
  const internalKey = pub.subarray(1);
  const even = pub[0] === 0x03 ? privNegate(privateKey) : privateKey;
  const t = taggedHash('TapTweak', internalKey);
  const q = pubTweakAdd(concatBytes(new Uint8Array([0x02]), internalKey), t);
  return { internalKey: internalKey.slice(), outputKey: q.slice(1), tweakedPrivateKey: privTweakAdd(even, t) };
}

/** coinType is BIP44's coin type: 0 for mainnet, 1 for every test network. */
export function coinType(network: Network): 0 | 1 {
  return network === 'bitcoin' ? 0 : 1;
}

/** WalletKeys derives and caches one account's keys (BIP84 P2WPKH, or BIP86 P2TR). */
export class WalletKeys {
  private readonly account: HDKey;
  private readonly chains: [HDKey, HDKey];
  private readonly cache = new Map<string, DerivedKey>();
  readonly accountPath: string;

  /** `seed` is the 64-byte BIP39 seed. */
  constructor(
    seed: Uint8Array,
    readonly network: Network,
    readonly accountIndex = 0,
    readonly type: AddressType = 'p2wpkh',
  ) {
    if (seed.length < 16 || seed.length > 64) throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, `seed: must be 16 to 64 bytes, got ${seed.length}`);
    this.accountPath = `m/${type === 'p2tr' ? 86 : 84}'/${coinType(network)}'/${accountIndex}'`;
    this.account = HDKey.fromMasterSeed(seed).derive(this.accountPath);
    this.chains = [this.account.deriveChild(0), this.account.deriveChild(1)];
  }

  /** derive returns the key at `<account>/change/index`. */
  derive(change: 0 | 1, index: number): DerivedKey {
    const k = `${change}/${index}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const node = this.chains[change].deriveChild(index);
    if (!node.privateKey || !node.publicKey) throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, `cannot derive ${this.accountPath}/${k}`);
    let script: Uint8Array;
    let signingKey = node.privateKey;
    if (this.type === 'p2tr') {
      const tw = bip86Tweak(node.privateKey);
      script = p2trScript(tw.outputKey);
      signingKey = tw.tweakedPrivateKey;
    } else {
      script = p2wpkhScript(hash160(node.publicKey));
    }
    const address = scriptToAddress(script, this.network);
    if (!address) throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, `cannot encode a ${this.type} address`);
    const key: DerivedKey = {
      type: this.type,
      signingKey,
      path: `${this.accountPath}/${k}`,
      change,
      index,
      privateKey: node.privateKey,
      publicKey: node.publicKey,
      script,
      address,
    };
    this.cache.set(k, key);
    return key;
  }
}
