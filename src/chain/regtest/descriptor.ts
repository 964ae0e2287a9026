/**
 * Output descriptors as Bitcoin Core reports them for scripts it has no keys for
 * (InferDescriptor without signing provider), with the BIP380 checksum.
 */
import { toHex } from '../../lib/index.ts';
import { scriptToAddress } from '../../bitcoin/index.ts';
import { classifyOutput, parseScriptOps } from './script-info.ts';

const INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(c: bigint, val: number): bigint {
  const c0 = c >> 35n;
  c = ((c & 0x7ffffffffn) << 5n) ^ BigInt(val);
  for (let i = 0; i < 5; i++) if ((c0 >> BigInt(i)) & 1n) c ^= GEN[i];
  return c;
}

/** descriptorChecksum computes the 8-character BIP380 checksum of a descriptor, or '' for invalid characters. */
export function descriptorChecksum(desc: string): string {
  let c = 1n;
  let cls = 0;
  let clscount = 0;
  for (const ch of desc) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0) return '';
    c = polymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clscount === 3) {
      c = polymod(c, cls);
      cls = 0;
      clscount = 0;
    }
  }
  if (clscount > 0) c = polymod(c, cls);
  for (let j = 0; j < 8; j++) c = polymod(c, 0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

/** withChecksum appends `#checksum` to a descriptor. */
export function withChecksum(desc: string): string {
  return `${desc}#${descriptorChecksum(desc)}`;
}

/** inferDescriptor renders a script the way Core's InferDescriptor does without key information. */
export function inferDescriptor(script: Uint8Array): string {
  const c = classifyOutput(script);
  switch (c.type) {
    case 'pubkey':
      return withChecksum(`pk(${toHex(script.subarray(1, script.length - 1))})`);
    case 'multisig': {
      const ops = parseScriptOps(script)!;
      const keys = ops.slice(1, -2).map((o) => toHex(o.data!));
      return withChecksum(`multi(${c.m},${keys.join(',')})`);
    }
    case 'witness_v1_taproot':
      return withChecksum(`rawtr(${toHex(script.subarray(2))})`);
    case 'pubkeyhash':
    case 'scripthash':
    case 'witness_v0_keyhash':
    case 'witness_v0_scripthash':
    case 'witness_unknown':
    case 'anchor': {
      const a = scriptToAddress(script, 'regtest');
      if (a) return withChecksum(`addr(${a})`);
      return withChecksum(`raw(${toHex(script)})`);
    }
    default:
      return withChecksum(`raw(${toHex(script)})`);
  }
}
