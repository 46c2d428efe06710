// The agreement check: every peer's probes after its first two calls, compared with each other and
// (the first call's) with a plain-JS float64 value, within the row's relative tolerance.

import { runFor, type PerCall } from "./timing.js";
import type { Case } from "./types.js";

/** Probe values after the first call and after the second (null when the first call was too slow to repeat). */
export type Probes = readonly [readonly number[], readonly number[] | null];

export interface Checked {
  readonly probes: Probes;
  /** The last call's time: the second call's (the first includes one-time costs such as jit compilation). */
  readonly last: PerCall;
}

/**
 * A first call over SKIP_SECOND x slowMs of CPU time is not repeated at all (tfjs-cpu's convolutions
 * take seconds). CPU time decides, so that a loaded machine or a jit's compile (jax-js spends
 * seconds of wall time there) does not skip the second call, which is the one timed.
 */
export const SKIP_SECOND = 3;

export async function probeTwice(c: Case, slowMs: number): Promise<Checked> {
  const first = await runFor(c, 0);
  const p1 = [...(await c.probe())];
  if (first.cpu > SKIP_SECOND * slowMs) return { probes: [p1, null], last: first };
  const second = await runFor(c, 0);
  return { probes: [p1, [...(await c.probe())]], last: second };
}

export const close = (a: number, b: number, rtol: number): boolean =>
  Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= rtol * (Math.max(Math.abs(a), Math.abs(b)) + 1);

function allClose(a: readonly number[], b: readonly number[], rtol: number): boolean {
  return a.length === b.length && a.every((v, i) => close(v, b[i], rtol));
}

const fmt = (v: readonly number[]): string => `[${v.map((x) => x.toPrecision(7)).join(", ")}]`;

/** Why `got` disagrees with the baseline or the reference, or null if it agrees. */
export function disagreement(got: Probes, baseline: { header: string; probes: Probes } | null, reference: readonly number[] | undefined, rtol: number): string | null {
  if (reference && !allClose(got[0].slice(0, reference.length), reference, rtol)) {
    return `first call gives ${fmt(got[0])}, float64 JS ${fmt(reference)} (rtol ${rtol})`;
  }
  if (!baseline) return null;
  for (const i of [0, 1] as const) {
    const a = got[i], b = baseline.probes[i];
    if (a && b && !allClose(a, b, rtol)) return `call ${i + 1} gives ${fmt(a)}, ${baseline.header} ${fmt(b)} (rtol ${rtol})`;
  }
  return null;
}
