// Throughput and per-op overhead of wasmgrad's kernels (no peers): matmul GFLOP/s by size, an
// elementwise op and a sum by length, and the cost of one small op with and without autograd.
// Run: npm run bench:kernels

import { Bench } from "tinybench";
import { randn, tensor, mul, noGrad, type Tensor } from "wasmgrad";

interface Case {
  name: string;
  /** Floating-point operations (or elements) per call, for the throughput column. */
  work: number;
  unit: string;
  fn: () => Tensor;
}

function cases(): Case[] {
  const list: Case[] = [];
  for (const n of [64, 256, 512]) {
    const a = randn(n, n), b = randn(n, n);
    list.push({ name: `matmul ${n}x${n} @ ${n}x${n}`, work: 2 * n ** 3, unit: "GFLOP/s", fn: () => a.matmul(b) });
  }
  for (const n of [1_000, 1_000_000]) {
    const a = randn(n), b = randn(n);
    list.push({ name: `add, ${n} elements`, work: n, unit: "Gelem/s", fn: () => a.add(b) });
    list.push({ name: `sum, ${n} elements`, work: n, unit: "Gelem/s", fn: () => a.sum() });
  }
  const w = tensor([1.0], { requiresGrad: true }), c = tensor([1.0]);
  // per-op overhead: throughput means nothing here
  list.push({ name: "mul(2, w), 1 element, recorded", work: 0, unit: "", fn: () => mul(2, w) });
  list.push({ name: "mul(2, c), 1 element, no autograd", work: 0, unit: "", fn: () => noGrad(() => mul(2, c)) });
  return list;
}

async function main(): Promise<void> {
  const bench = new Bench({ time: 500, warmupTime: 100, throws: true });
  const list = cases();
  for (const c of list) bench.add(c.name, () => { c.fn().dispose(); });
  await bench.run();
  console.log(`Node ${process.version}; one thread, WASM SIMD`);
  console.log(`${"case".padEnd(36)} ${"µs/call".padStart(12)} ${"throughput".padStart(16)}`);
  for (const task of bench.tasks) {
    const c = list.find((x) => x.name === task.name)!;
    const r = task.result;
    if (r.state !== "completed") throw new Error(`${task.name}: ${r.state}`);
    const us = r.latency.p50 * 1000;
    const throughput = c.work ? `${(c.work / us / 1000).toFixed(3).padStart(9)} ${c.unit}` : "";
    console.log(`${c.name.padEnd(36)} ${us.toFixed(3).padStart(12)} ${throughput}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
