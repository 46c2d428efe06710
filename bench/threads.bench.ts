// 1 thread against 2 on the same work in one process: matmul GFLOP/s by size and elementwise ops
// and sums by length, rounds interleaving the thread counts so that load from other processes hits
// both alike; medians of wall-clock rates (CPU time would add the threads up). Also how many of the
// 2-thread tasks the worker ran: near none means the machine gave the worker no core.
// Run: npm run build && node build/bench/threads.bench.js   (ROUNDS=n for more repeats)

import { randn, setNumThreads, getNumThreads, type Tensor } from "wasmgrad";

interface Case { name: string; work: number; unit: string; fn: () => Tensor }

const cases: Case[] = [];
// Sizes around where work starts to be split (matmul from 104^3 multiply-adds; exp from 2^16
// elements, add from 2^17, sum from 2^18): a ratio below 1 just above a threshold means it is too low
for (const n of [64, 96, 112, 128, 256, 512, 1024]) {
  const a = randn(n, n), b = randn(n, n);
  cases.push({ name: `matmul ${n}`, work: 2 * n ** 3, unit: "GFLOP/s", fn: () => a.matmul(b) });
}
for (const n of [1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 22]) {
  const a = randn(n), b = randn(n);
  cases.push({ name: `add ${n}`, work: n, unit: "Gelem/s", fn: () => a.add(b) });
  cases.push({ name: `exp ${n}`, work: n, unit: "Gelem/s", fn: () => a.exp() });
  cases.push({ name: `sum ${n}`, work: n, unit: "Gelem/s", fn: () => a.sum() });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Calls per timing of a case: enough to fill ~30 ms on one thread. */
function callsFor(c: Case): number {
  setNumThreads(1);
  const t0 = performance.now();
  let k = 0;
  while (performance.now() - t0 < 30) { c.fn().dispose(); k++; }
  return k;
}

function rate(c: Case, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) c.fn().dispose();
  return (c.work * calls) / ((performance.now() - t0) / 1e3) / 1e9;
}

const rounds = Number(process.env.ROUNDS ?? 7);
setNumThreads(2);
cases[5].fn().dispose(); // start the pool (matmul 256)
await new Promise((r) => setTimeout(r, 300));
const calls = cases.map(callsFor);
const rates = cases.map(() => ({ one: [] as number[], two: [] as number[] }));
for (let r = 0; r < rounds; r++) {
  cases.forEach((c, i) => {
    for (const n of r % 2 ? [2, 1] : [1, 2]) {
      setNumThreads(n);
      (n === 1 ? rates[i].one : rates[i].two).push(rate(c, calls[i]));
    }
  });
}
setNumThreads(2);
console.log(`wasmgrad kernels, 1 vs 2 threads (getNumThreads() default here: ${getNumThreads()}), ${rounds} rounds, median wall-clock rates`);
console.log("case".padEnd(16), "unit".padEnd(8), "1 thread".padStart(9), "2 threads".padStart(10), "ratio".padStart(7));
cases.forEach((c, i) => {
  const one = median(rates[i].one), two = median(rates[i].two);
  console.log(c.name.padEnd(16), c.unit.padEnd(8), one.toFixed(2).padStart(9), two.toFixed(2).padStart(10), (two / one).toFixed(2).padStart(7));
});
