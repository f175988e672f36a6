/**
 * The statistics behind a journey's A/B results: each variant's conversion rate with a confidence
 * interval, a significance test against a baseline, and the lift over a holdout. Pure and
 * dependency free; checked against SciPy on fixed data (tests/fixtures/results-stats/reference.py).
 *
 * What counts as "entered" and as a "conversion" is the caller's to define and to say on the page
 * (for instance: customers who entered the variant's path, and those of them who reached the goal).
 * Every figure here assumes each customer is counted once, in one variant, independently of others.
 */

/** The customers a variant had, and how many of them converted. */
export interface Counts {
  conversions: number;
  entered: number;
}

/** A range that contains the true value with the chosen confidence (for instance 95%). */
export interface Interval {
  low: number;
  high: number;
}

/** Counts or a confidence level that no figure can be computed from; the message names the field. */
export class StatsInputError extends Error {
  readonly code = 'STATS_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'StatsInputError';
  }
}

/**
 * A Wilson score interval for `conversions / entered`: the range of conversion rates the counts are
 * consistent with. Unlike rate ± 1.96·SE it stays inside [0, 1] and is honest for small counts and
 * rates near 0 or 1. Its low is exactly 0 when no one converted and its high exactly 1 when everyone
 * did. Undefined when no one entered (no rate at all).
 */
export function wilsonInterval(conversions: number, entered: number, confidence = 0.95): Interval | undefined {
  checkCounts({ conversions, entered }, '');
  const z = zFor(confidence);
  if (entered === 0) return undefined;
  const center = (conversions + (z * z) / 2) / (entered + z * z);
  const half = (z / (entered + z * z)) * Math.sqrt((conversions * (entered - conversions)) / entered + (z * z) / 4);
  return {
    low: conversions === 0 ? 0 : center - half,
    high: conversions === entered ? 1 : center + half,
  };
}

export interface ProportionTest {
  /** The variant's rate minus the baseline's, in rate units (0.02 is two percentage points). */
  difference: number;
  /** The difference in standard errors under "no real difference" (pooled); positive when the variant is higher. */
  z: number;
  /**
   * The chance of a difference at least this large, either way, if the two truly converted at the same
   * rate. Small (below 1 − confidence, say 0.05) means the difference is unlikely to be noise alone;
   * it is not the chance that the variant is better. Unadjusted: with many variants, some will look
   * significant by chance.
   */
  pValue: number;
}

/**
 * A two-sided pooled two-proportion z-test (no continuity correction; the same p-value as a chi-square
 * test of the 2×2 table). Undefined when either side had no one enter, or when neither side's
 * outcomes vary (no one converted, or everyone did): there is then nothing to test.
 */
export function twoProportionTest(variant: Counts, baseline: Counts): ProportionTest | undefined {
  checkCounts(variant, 'variant.');
  checkCounts(baseline, 'baseline.');
  if (variant.entered === 0 || baseline.entered === 0) return undefined;
  const pooled = (variant.conversions + baseline.conversions) / (variant.entered + baseline.entered);
  if (pooled === 0 || pooled === 1) return undefined;
  const difference = variant.conversions / variant.entered - baseline.conversions / baseline.entered;
  const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / variant.entered + 1 / baseline.entered));
  return { difference, z, pValue: 2 * normalUpperTail(Math.abs(z)) };
}

export interface Lift {
  /** How much higher the variant's rate is than the holdout's (or baseline's), as a fraction: 0.12 is +12%, −1 is no conversions at all. */
  lift: number;
  /** Katz log risk-ratio interval, minus 1. Absent when the variant had no conversions (the ratio's log is unbounded). */
  interval?: Interval;
}

/**
 * The relative lift of a variant's rate over the holdout's (pVariant / pHoldout − 1), with an interval
 * from the standard log risk-ratio (Katz) method. Undefined when either side had no one enter or the
 * holdout had no conversions (no rate to be relative to).
 */
export function liftVsHoldout(variant: Counts, holdout: Counts, confidence = 0.95): Lift | undefined {
  checkCounts(variant, 'variant.');
  checkCounts(holdout, 'holdout.');
  const z = zFor(confidence);
  if (variant.entered === 0 || holdout.entered === 0 || holdout.conversions === 0) return undefined;
  if (variant.conversions === 0) return { lift: -1 };
  const ratio = variant.conversions / variant.entered / (holdout.conversions / holdout.entered);
  const spread = Math.exp(z * Math.sqrt(1 / variant.conversions - 1 / variant.entered + 1 / holdout.conversions - 1 / holdout.entered));
  return { lift: ratio - 1, interval: { low: ratio / spread - 1, high: ratio * spread - 1 } };
}

/** One variant's counts as the results query returns them. */
export interface VariantCounts extends Counts {
  name: string;
}

/** What a results page or the metrics API shows for one variant. */
export interface VariantResult extends VariantCounts {
  /** conversions / entered; absent when no one entered. */
  rate?: number;
  /** Where the true rate likely lies (Wilson); absent when no one entered. */
  interval?: Interval;
  /** Against the baseline; absent on the baseline itself and when no test is possible (see twoProportionTest). */
  test?: ProportionTest;
  /** Over the baseline; absent on the baseline itself and when no lift is defined (see liftVsHoldout). */
  lift?: Lift;
}

export interface VariantResults {
  /** The confidence level of every interval, such as 0.95. */
  confidence: number;
  /** The variant the others are compared with: the holdout when one is named, else the first (the control). */
  baseline: string;
  variants: VariantResult[];
}

/**
 * Each variant's rate and interval, and each other variant's test and lift against the baseline: the
 * holdout (customers kept out of the journey's messages) when `holdout` names one, else the first row.
 */
export function variantResults(rows: VariantCounts[], holdout?: string, confidence = 0.95): VariantResults {
  const names = new Set<string>();
  rows.forEach((row, i) => {
    checkCounts(row, `rows[${i}].`);
    if (names.has(row.name)) throw new StatsInputError(`rows[${i}].name: "${row.name}" appears twice; each variant needs its own row`);
    names.add(row.name);
  });
  const baseline = holdout === undefined ? rows[0] : rows.find((row) => row.name === holdout);
  if (!baseline) {
    throw new StatsInputError(
      holdout === undefined ? 'rows: no variants; at least one row is needed' : `holdout: "${holdout}" is not one of the rows (${[...names].join(', ')})`,
    );
  }
  const variants = rows.map((row): VariantResult => {
    const result: VariantResult = { name: row.name, entered: row.entered, conversions: row.conversions };
    const interval = wilsonInterval(row.conversions, row.entered, confidence);
    if (interval) {
      result.rate = row.conversions / row.entered;
      result.interval = interval;
    }
    if (row === baseline) return result;
    const test = twoProportionTest(row, baseline);
    const lift = liftVsHoldout(row, baseline, confidence);
    if (test) result.test = test;
    if (lift) result.lift = lift;
    return result;
  });
  return { confidence, baseline: baseline.name, variants };
}

function checkCounts(counts: Counts, prefix: string): void {
  for (const field of ['entered', 'conversions'] as const) {
    const value = counts[field];
    if (!Number.isSafeInteger(value) || value < 0) throw new StatsInputError(`${prefix}${field}: ${String(value)} is not a count (a whole number, 0 or more)`);
  }
  if (counts.conversions > counts.entered) {
    throw new StatsInputError(`${prefix}conversions: ${counts.conversions} is more than ${prefix}entered (${counts.entered}); a conversion counts a customer who entered`);
  }
}

/** The z for a two-sided interval at `confidence`: 1.959963984540054 for 0.95. */
function zFor(confidence: number): number {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new StatsInputError(`confidence: ${String(confidence)} is not a level between 0 and 1 (exclusive), such as 0.95`);
  }
  return normalUpperQuantile((1 - confidence) / 2);
}

/**
 * The x ≥ 0 with P(Z > x) = q, for 0 < q ≤ 0.5: Newton's method on log P(Z > x), which is concave.
 * It starts from √(−2·ln 2q), at or above x (the bound P(Z > x) ≤ e^(−x²/2) / 2), so every step
 * stays above x and closes in on it, quadratically once near: 5 steps or fewer for q from 0.5 down to 1e-300.
 * A step below 1e-12 leaves an error near the rounding of x (within 3e-15 of SciPy's ndtri).
 */
function normalUpperQuantile(q: number): number {
  let x = Math.sqrt(-2 * Math.log(2 * q));
  for (let i = 0; i < 100; i += 1) {
    const tail = normalUpperTail(x);
    const density = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    const step = ((Math.log(tail) - Math.log(q)) * tail) / density;
    x += step;
    if (Math.abs(step) < 1e-12) break;
  }
  return x;
}

/** P(Z > x) for a standard normal Z and x ≥ 0. */
function normalUpperTail(x: number): number {
  return erfc(x / Math.SQRT2) / 2;
}

/**
 * The complementary error function for x ≥ 0, to a relative error under 1e-14 for x ≤ 6 (a z up to
 * 8.5) and under 1e-12 until it underflows near x = 27: below 1.5 as 1 − erf(x) from erf's series
 * of positive terms (no cancellation), above it from erfc's continued fraction (Lentz's method);
 * each needs under 100 terms. Measured against Python's math.erfc on a 0.01 grid.
 */
function erfc(x: number): number {
  if (x < 1.5) {
    // erf(x) = 2/√π · e^(−x²) · Σ (2x²)^n · x / (1·3·…·(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; term > sum * 1e-17; n += 1) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + …)))), evaluated by modified Lentz.
  let fraction = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n += 1) {
    d = 1 / (x + (n / 2) * d);
    c = x + n / 2 / c;
    fraction *= c * d;
    if (Math.abs(c * d - 1) <= Number.EPSILON) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}
