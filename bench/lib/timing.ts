// Times one case: as many calls as fill the budget (at least one). Both clocks are kept: wall time,
// and this process's CPU time (process.cpuUsage), which a loaded machine disturbs far less; the
// table shows CPU time for single-threaded columns and wall time for multi-threaded ones, whose
// CPU time counts every thread.

import type { Case } from "./types.js";

/** Milliseconds per call by each clock. */
export interface PerCall {
  readonly wall: number;
  readonly cpu: number;
}

export async function runFor(c: Case, budgetMs: number): Promise<PerCall> {
  let calls = 0;
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  do {
    const r = c.step();
    if (r) await r;
    calls++;
    t = performance.now();
  } while (t - t0 < budgetMs);
  const u = process.cpuUsage(u0);
  return { wall: (t - t0) / calls, cpu: (u.user + u.system) / 1000 / calls };
}
