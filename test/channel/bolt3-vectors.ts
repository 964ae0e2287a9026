/**
 * Parses BOLT #3 Appendices C and F (commitment and HTLC transaction vectors) from the
 * shared spec file, so tests never retype a vector.
 */
import { bolt3Text, section } from '../keys/spec-text.ts';

/** The shared parameters at the top of Appendix C (also used by Appendix F). */
export interface VectorParams {
  values: Map<string, string>;
  internal: Map<string, string>;
  htlcs: { direction: string; amountMsat: bigint; expiry: number; preimage: string }[];
  /** The obscured-number comment's hex factor (`0x2bb038521914 ^ 42`). */
  obscuringFactorHex: string;
}

/** One expected HTLC transaction. */
export interface HtlcVector {
  remoteSig: string;
  localSig?: string;
  kind?: 'timeout' | 'success';
  htlcNumber?: number;
  txHex: string;
}

/** One commitment vector. */
export interface CommitVector {
  name: string;
  toLocalMsat: bigint;
  toRemoteMsat: bigint;
  feeratePerKw: number;
  dustLimit?: bigint;
  useTestHtlcs: boolean;
  remoteSig: string;
  localSig?: string;
  commitTxHex: string;
  numHtlcs: number;
  baseFee?: bigint;
  actualFee?: bigint;
  htlcTxs: HtlcVector[];
}

const text = bolt3Text();

/** appendixCParams reads the common parameters and keys of Appendix C. */
export function appendixCParams(): VectorParams {
  const block = section(text, '# Appendix C: Commitment and HTLC Transaction Test Vectors');
  const head = block.slice(0, block.indexOf('    name:'));
  const values = new Map<string, string>();
  const internal = new Map<string, string>();
  const htlcs: VectorParams['htlcs'] = [];
  let obscuringFactorHex = '';
  for (const raw of head.split('\n')) {
    const line = raw.trim();
    let m = line.match(/^INTERNAL: (\w+): ([0-9a-f]+)$/);
    if (m) {
      internal.set(m[1]!, m[2]!);
      continue;
    }
    m = line.match(/^htlc (\d+) (direction|amount_msat|expiry|payment_preimage): (\S+)$/);
    if (m) {
      const i = Number(m[1]);
      htlcs[i] ??= { direction: '', amountMsat: 0n, expiry: 0, preimage: '' };
      const h = htlcs[i]!;
      if (m[2] === 'direction') h.direction = m[3]!;
      else if (m[2] === 'amount_msat') h.amountMsat = BigInt(m[3]!);
      else if (m[2] === 'expiry') h.expiry = Number(m[3]);
      else h.preimage = m[3]!;
      continue;
    }
    m = line.match(/^# obscured commitment number = 0x([0-9a-f]+) \^ (\d+)$/);
    if (m) {
      obscuringFactorHex = m[1]!;
      continue;
    }
    m = line.match(/^(\w+): (\S+)$/);
    if (m) values.set(m[1]!, m[2]!);
  }
  return { values, internal, htlcs, obscuringFactorHex };
}

/** appendixC reads every commitment vector of Appendix C. */
export function appendixC(): CommitVector[] {
  const block = section(text, '# Appendix C: Commitment and HTLC Transaction Test Vectors');
  const out: CommitVector[] = [];
  let cur: CommitVector | undefined;
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^name: (.*)$/))) {
      cur = {
        name: m[1]!,
        toLocalMsat: 0n,
        toRemoteMsat: 0n,
        feeratePerKw: 0,
        useTestHtlcs: !m[1]!.includes('no HTLCs'),
        remoteSig: '',
        commitTxHex: '',
        numHtlcs: -1,
        htlcTxs: [],
      };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    if ((m = line.match(/^to_local_msat: (\d+)$/))) cur.toLocalMsat = BigInt(m[1]!);
    else if ((m = line.match(/^to_remote_msat: (\d+)$/))) cur.toRemoteMsat = BigInt(m[1]!);
    else if ((m = line.match(/^local_feerate_per_kw: (\d+)$/))) cur.feeratePerKw = Number(m[1]);
    else if ((m = line.match(/^# base commitment transaction fee = (\d+)$/))) cur.baseFee = BigInt(m[1]!);
    else if ((m = line.match(/^# actual commitment transaction fee = (\d+)$/))) cur.actualFee = BigInt(m[1]!);
    else if ((m = line.match(/^remote_signature = ([0-9a-f]+)$/))) cur.remoteSig = m[1]!;
    else if ((m = line.match(/^# local_signature = ([0-9a-f]+)$/))) cur.localSig = m[1]!;
    else if ((m = line.match(/^output commit_tx: ([0-9a-f]+)$/))) cur.commitTxHex = m[1]!;
    else if ((m = line.match(/^num_htlcs: (\d+)$/))) cur.numHtlcs = Number(m[1]);
    else if ((m = line.match(/^remote_htlc_signature = ([0-9a-f]+)$/))) cur.htlcTxs.push({ remoteSig: m[1]!, txHex: '' });
    else if ((m = line.match(/^# local_htlc_signature = ([0-9a-f]+)$/))) cur.htlcTxs[cur.htlcTxs.length - 1]!.localSig = m[1]!;
    else if ((m = line.match(/^htlc_(timeout|success)_tx \(htlc #(\d+)\): ([0-9a-f]+)$/))) {
      const h = cur.htlcTxs[cur.htlcTxs.length - 1]!;
      h.kind = m[1] as 'timeout' | 'success';
      h.htlcNumber = Number(m[2]);
      h.txHex = m[3]!;
    }
  }
  return out;
}

/** appendixF reads the anchors vectors (a JSON array inside a code block) of Appendix F. */
export function appendixF(): CommitVector[] {
  const block = section(text, '# Appendix F: Commitment and HTLC Transaction Test Vectors (anchors)');
  const json = block.slice(block.indexOf('```yaml') + 7, block.lastIndexOf('```'));
  const raw = JSON.parse(json) as {
    Name: string;
    LocalBalance: number;
    RemoteBalance: number;
    DustLimitSatoshis: number;
    FeePerKw: number;
    UseTestHtlcs: boolean;
    HtlcDescs: { RemoteSigHex: string; ResolutionTxHex: string }[];
    ExpectedCommitmentTxHex: string;
    RemoteSigHex: string;
  }[];
  return raw.map((r) => ({
    name: r.Name,
    toLocalMsat: BigInt(r.LocalBalance),
    toRemoteMsat: BigInt(r.RemoteBalance),
    feeratePerKw: r.FeePerKw,
    dustLimit: BigInt(r.DustLimitSatoshis),
    useTestHtlcs: r.UseTestHtlcs,
    remoteSig: r.RemoteSigHex,
    commitTxHex: r.ExpectedCommitmentTxHex,
    numHtlcs: r.HtlcDescs.length,
    htlcTxs: r.HtlcDescs.map((h) => ({ remoteSig: h.RemoteSigHex, txHex: h.ResolutionTxHex })),
  }));
}

/**
 * testHtlcIndices says which of the common HTLCs a vector uses. BOLT #3: "the HTLCs are not
 * used for the first "simple commitment tx with no HTLCs" test, and HTLCs 5 and 6 are only
 * used in the "same amount and preimage" test."
 */
export function testHtlcIndices(v: CommitVector): number[] {
  if (!v.useTestHtlcs) return [];
  if (v.name.includes('same amount and preimage')) return [1, 5, 6];
  return [0, 1, 2, 3, 4];
}
