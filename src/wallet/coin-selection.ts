/**
 * Coin selection that minimises waste (pure; no I/O).
 *
 * The waste metric (Bitcoin Core's `GetSelectionWaste`) measures what a selection costs
 * compared with an ideal one, at the current feerate against a long-term feerate:
 *
 *   waste = Σ inputs (fee(input, feerate) − fee(input, longTermFeerate))
 *         + (change ? costOfChange : excess)
 *
 * where costOfChange is the fee of the change output now plus the fee of spending it later
 * at the long-term feerate, and excess is what a changeless selection gives to miners above
 * the fee it needs. Spending many inputs while fees are high is wasteful; while fees are low
 * it consolidates cheaply (negative input waste).
 *
 * Algorithms: branch-and-bound (Core's `SelectCoinsBnB`) searches for a changeless set whose
 * effective value lands in [target, target + costOfChange]; if there is none, deterministic
 * fallbacks (single smallest sufficient coin, largest-first, smallest-first) produce sets
 * with change, and the one with the least waste wins. Fees are computed on weight with the
 * feerate in sat per 1000 weight units, rounded up.
 */

/** A spendable coin. `id` is opaque to the selector (an outpoint key in the wallet). */
export interface Candidate {
  id: string;
  /** Value in satoshis. */
  value: bigint;
  /** Weight the input adds to the transaction (outpoint, scriptSig, sequence, witness). */
  weight: number;
}

/** Parameters of a selection. */
export interface SelectionParams {
  /** Sum of the recipient outputs (satoshis). */
  target: bigint;
  /** Feerate in sat per 1000 weight units. */
  feerate: number;
  /** Long-term feerate (sat/kw) the waste metric compares against (default 2500 = 10 sat/vB). */
  longTermFeerate?: number;
  /** Weight of the transaction without inputs and without change (header, marker, recipients). */
  baseWeight: number;
  /** Weight of the change output. */
  changeWeight: number;
  /** Weight of the input that will later spend the change. */
  changeSpendWeight: number;
  /** Smallest change worth creating (the dust limit of the change output type). */
  minChange: bigint;
  /** Coins that must be spent (RBF keeps the original inputs; CPFP spends the parent's output). */
  required?: Candidate[];
  /** Bound on branch-and-bound steps (default 100000, as Core). */
  maxTries?: number;
}

/** A chosen set of coins. */
export interface Selection {
  selected: Candidate[];
  /** Total transaction weight including change if any. */
  weight: number;
  fee: bigint;
  /** 0n when there is no change output. */
  change: bigint;
  waste: bigint;
  algorithm: 'bnb' | 'single' | 'largest-first' | 'smallest-first' | 'required';
}

/** feeForWeight is ceil(weight × feerate / 1000) satoshis. */
export function feeForWeight(weight: number, feeratePerKw: number): bigint {
  return (BigInt(weight) * BigInt(Math.ceil(feeratePerKw)) + 999n) / 1000n;
}

/** Default long-term feerate: 10 sat/vB (Core's -consolidatefeerate) = 2500 sat/kw. */
export const DEFAULT_LONG_TERM_FEERATE = 2500;

interface Ctx {
  p: SelectionParams;
  ltfr: number;
  costOfChange: bigint;
}

/**
 * evaluate prices a set of coins: with change when the change is at least minChange,
 * otherwise changeless (the excess goes to fees). Null if the set cannot pay.
 */
function evaluate(ctx: Ctx, set: Candidate[], algorithm: Selection['algorithm']): Selection | null {
  const { p } = ctx;
  let total = 0n;
  let inWeight = 0;
  let inputWaste = 0n;
  for (const c of set) {
    total += c.value;
    inWeight += c.weight;
    inputWaste += feeForWeight(c.weight, p.feerate) - feeForWeight(c.weight, ctx.ltfr);
  }
  const noChangeWeight = p.baseWeight + inWeight;
  const noChangeFee = feeForWeight(noChangeWeight, p.feerate);
  const excess = total - p.target - noChangeFee;
  if (excess < 0n) return null;
  const withChangeWeight = noChangeWeight + p.changeWeight;
  const withChangeFee = feeForWeight(withChangeWeight, p.feerate);
  const change = total - p.target - withChangeFee;
  if (change >= p.minChange && excess > ctx.costOfChange) {
    return { selected: set, weight: withChangeWeight, fee: withChangeFee, change, waste: inputWaste + ctx.costOfChange, algorithm };
  }
  return { selected: set, weight: noChangeWeight, fee: noChangeFee + excess, change: 0n, waste: inputWaste + excess, algorithm };
}

/**
 * selectCoins picks coins for `params.target` from `pool`, minimising waste. Returns null
 * when the pool (plus required coins) cannot pay the target and the fee.
 */
export function selectCoins(pool: Candidate[], params: SelectionParams): Selection | null {
  const ltfr = params.longTermFeerate ?? DEFAULT_LONG_TERM_FEERATE;
  const costOfChange = feeForWeight(params.changeWeight, params.feerate) + feeForWeight(params.changeSpendWeight, ltfr);
  const ctx: Ctx = { p: params, ltfr, costOfChange };
  const required = params.required ?? [];
  const requiredIds = new Set(required.map((c) => c.id));
  const optional = pool.filter((c) => !requiredIds.has(c.id));

  const options: Selection[] = [];
  const consider = (s: Selection | null): void => {
    if (s) options.push(s);
  };

  // Required coins alone may already pay.
  if (required.length > 0) consider(evaluate(ctx, required, 'required'));

  const bnb = branchAndBound(ctx, optional, required);
  if (bnb) consider(evaluate(ctx, [...required, ...bnb], 'bnb'));

  // Fallbacks with change.
  const eff = (c: Candidate): bigint => c.value - feeForWeight(c.weight, params.feerate);
  const positive = optional.filter((c) => eff(c) > 0n);
  const needWithChange = params.target + feeForWeight(params.baseWeight + params.changeWeight, params.feerate) + params.minChange;
  const reqEff = required.reduce((a, c) => a + eff(c), 0n);

  const bySmallest = [...positive].sort((a, b) => cmp(eff(a), eff(b)) || a.id.localeCompare(b.id));
  const single = bySmallest.find((c) => reqEff + eff(c) >= needWithChange);
  if (single) consider(evaluate(ctx, [...required, single], 'single'));

  const accumulate = (order: Candidate[], name: Selection['algorithm']): void => {
    const set = [...required];
    let sum = reqEff;
    for (const c of order) {
      if (sum >= needWithChange) break;
      set.push(c);
      sum += eff(c);
    }
    consider(evaluate(ctx, set, name));
  };
  accumulate([...bySmallest].reverse(), 'largest-first');
  accumulate(bySmallest, 'smallest-first');

  if (options.length === 0) return null;
  // Least waste; ties go to fewer inputs, then to the earlier algorithm.
  options.sort((a, b) => cmp(a.waste, b.waste) || a.selected.length - b.selected.length);
  return options[0];
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * branchAndBound searches (depth-first, inclusion branch first, coins by descending
 * effective value) for a changeless set whose effective value is within
 * [target, target + costOfChange], keeping the one with the least waste.
 */
function branchAndBound(ctx: Ctx, optional: Candidate[], required: Candidate[]): Candidate[] | null {
  const { p, ltfr } = ctx;
  const eff = (c: Candidate): bigint => c.value - feeForWeight(c.weight, p.feerate);
  const pool = optional.filter((c) => eff(c) > 0n).sort((a, b) => cmp(eff(b), eff(a)) || a.id.localeCompare(b.id));
  const n = pool.length;
  // Satoshi amounts stay below 2^53 (21e14), so the hot loop runs on doubles exactly.
  const effs = pool.map((c) => Number(eff(c)));
  const wastes = pool.map((c) => Number(feeForWeight(c.weight, p.feerate) - feeForWeight(c.weight, ltfr)));
  const remaining: number[] = new Array(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) remaining[i] = remaining[i + 1] + effs[i];
  const costOfChange = Number(ctx.costOfChange);

  let target = Number(p.target + feeForWeight(p.baseWeight, p.feerate));
  let startWaste = 0;
  for (const c of required) {
    target -= Number(eff(c));
    startWaste += Number(feeForWeight(c.weight, p.feerate) - feeForWeight(c.weight, ltfr));
  }
  if (target <= 0) return null; // required coins suffice; evaluated separately

  const maxTries = p.maxTries ?? 100_000;
  const feesAboveLongTerm = p.feerate > ltfr;
  const included: number[] = [];
  let best: number[] | null = null;
  let bestWaste = 0;
  let value = 0;
  let waste = startWaste;
  let i = 0;
  for (let tries = 0; tries < maxTries; tries++) {
    let backtrack = false;
    if (value + remaining[i] < target || value > target + costOfChange) {
      backtrack = true;
    } else if (best && feesAboveLongTerm && waste > bestWaste) {
      backtrack = true; // with fees above long-term, more inputs only add waste
    } else if (value >= target) {
      const w = waste + (value - target);
      if (!best || w <= bestWaste) {
        best = [...included];
        bestWaste = w;
      }
      backtrack = true;
    } else if (i >= n) {
      backtrack = true;
    }
    if (!backtrack) {
      included.push(i);
      value += effs[i];
      waste += wastes[i];
      i++;
      continue;
    }
    const j = included.pop();
    if (j === undefined) break; // search space exhausted
    value -= effs[j];
    waste -= wastes[j];
    // Exclusion branch of j; skip coins equivalent to j, whose branches would repeat it.
    i = j + 1;
    while (i < n && effs[i] === effs[j] && wastes[i] === wastes[j]) i++;
  }
  return best ? best.map((k) => pool[k]) : null;
}
