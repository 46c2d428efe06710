// Throughput and per-op overhead of wasmgrad's kernels (no peers): matmul GFLOP/s by shape
// (square sizes and the products of an MLP 784-256-128-10 on a batch of 128, forward and backward,
// transposed operands read through their strides), the fused linear layer and softmax
// cross-entropy beside the compositions they replace (same run, so the ratio is fair on a loaded
// machine), an elementwise op and a sum by length, a*b+c on 1M floats with no dispose (and the
// WASM memory it ends with), the cost of one small op with and without autograd; float32 exp,
// log, tanh, sigmoid, gelu and row softmax on 1M elements.
// Run: npm run bench:kernels   (MATMUL_ROUNDS=n for more repeats on a noisy machine)

import { Bench } from "tinybench";
import { randn, tensor, mul, noGrad, memory, nn, type Tensor } from "wasmgrad";

const F = nn.functional;

interface Case {
  name: string;
  /** Floating-point operations (or elements) per call, for the throughput column. */
  work: number;
  unit: string;
  fn: () => Tensor;
}

function matmulCases(): Case[] {
  const list: Case[] = [];
  for (const n of [64, 128, 256, 512, 1024]) {
    const a = randn(n, n), b = randn(n, n);
    list.push({ name: `matmul ${n}x${n} @ ${n}x${n}`, work: 2 * n ** 3, unit: "GFLOP/s", fn: () => a.matmul(b) });
  }
  // each layer of an MLP 784-256-128-10 on a batch of 128: forward x @ W^T, backward g^T @ x
  // (grad_W) and g @ W (grad_x), as linear's rule calls them
  const B = 128;
  for (const [i, o] of [[784, 256], [256, 128], [128, 10]]) {
    const x = randn(B, i), w = randn(o, i), g = randn(B, o);
    const work = 2 * B * i * o;
    list.push({ name: `[${B}x${i}] @ [${o}x${i}]^T`, work, unit: "GFLOP/s", fn: () => x.matmul(w.t()) });
    list.push({ name: `[${B}x${o}]^T @ [${B}x${i}]`, work, unit: "GFLOP/s", fn: () => g.t().matmul(x) });
    list.push({ name: `[${B}x${o}] @ [${o}x${i}]`, work, unit: "GFLOP/s", fn: () => g.matmul(w) });
  }
  return list;
}

/** The fused linear layer and cross-entropy beside their compositions, forward and forward + backward. */
function fusedCases(): Case[] {
  const list: Case[] = [];
  const B = 128;
  const x = randn(B, 784).requiresGrad_(), w = randn(256, 784).requiresGrad_(), b = randn(256).requiresGrad_(), g = randn(B, 256);
  const work = 2 * B * 784 * 256;
  // forward and the three gradients (x, W, b): three products
  const step = (y: Tensor): Tensor => { y.backward(g); x.grad = null; w.grad = null; b.grad = null; return y; };
  list.push({ name: "linear 128x784->256, fused", work, unit: "GFLOP/s", fn: () => noGrad(() => F.linear(x, w, b)) });
  list.push({ name: "linear 128x784->256, matmul + add", work, unit: "GFLOP/s", fn: () => noGrad(() => x.matmul(w.t()).add(b)) });
  list.push({ name: "linear fwd+bwd, fused", work: 3 * work, unit: "GFLOP/s", fn: () => step(F.linear(x, w, b)) });
  list.push({ name: "linear fwd+bwd, matmul + add", work: 3 * work, unit: "GFLOP/s", fn: () => step(x.matmul(w.t()).add(b)) });
  const logits = randn(B, 10).requiresGrad_();
  const t = tensor(Array.from({ length: B }, (_, i) => (i * 7) % 10), { dtype: "int32" });
  const ceStep = (l: Tensor): Tensor => { l.backward(); logits.grad = null; return l; };
  const composed = () => F.nllLoss(F.logSoftmax(logits, 1), t);
  list.push({ name: "crossEntropy 128x10, fused", work: B * 10, unit: "Gelem/s", fn: () => noGrad(() => F.crossEntropy(logits, t)) });
  list.push({ name: "crossEntropy 128x10, composed", work: B * 10, unit: "Gelem/s", fn: () => noGrad(composed) });
  list.push({ name: "crossEntropy fwd+bwd, fused", work: B * 10, unit: "Gelem/s", fn: () => ceStep(F.crossEntropy(logits, t)) });
  list.push({ name: "crossEntropy fwd+bwd, composed", work: B * 10, unit: "Gelem/s", fn: () => ceStep(composed()) });
  // a training step's forward and backward of an MLP 784-256-128-10 (relu) on a batch of 128
  const input = randn(B, 784), sizes = [[784, 256], [256, 128], [128, 10]];
  const params = sizes.map(([i, o]) => [randn(o, i).mul(0.05).requiresGrad_(), randn(o).requiresGrad_()]);
  // three products a layer, less the input's gradient, which nothing needs
  const mlpWork = sizes.reduce((s, [i, o]) => s + 3 * 2 * B * i * o, 0) - 2 * B * 784 * 256;
  const mlp = (fused: boolean) => () => {
    let hdn = input;
    params.forEach(([wi, bi], k) => {
      hdn = fused ? F.linear(hdn, wi, bi) : hdn.matmul(wi.t()).add(bi);
      if (k < params.length - 1) hdn = hdn.relu();
    });
    const loss = fused ? F.crossEntropy(hdn, t) : F.nllLoss(F.logSoftmax(hdn, 1), t);
    loss.backward();
    for (const [wi, bi] of params) { wi.grad = null; bi.grad = null; }
    return loss;
  };
  list.push({ name: "MLP 784-256-128-10 step, fused", work: mlpWork, unit: "GFLOP/s", fn: mlp(true) });
  list.push({ name: "MLP 784-256-128-10 step, composed", work: mlpWork, unit: "GFLOP/s", fn: mlp(false) });
  return list;
}

/** µs per a * b + c on n floats with no dispose (released by the automatic collection), and the WASM memory after. */
function fmaNoDispose(n: number, steps: number): { us: number; cpuUs: number; mib: number } {
  const a = randn(n), b = randn(n), c = randn(n);
  for (let i = 0; i < 20; i++) a.mul(b).add(c);
  const u0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < steps; i++) a.mul(b).add(c);
  const u = process.cpuUsage(u0);
  return { us: ((performance.now() - t0) * 1000) / steps, cpuUs: (u.user + u.system) / steps, mib: memory().wasmBytes / 2 ** 20 };
}

function otherCases(): Case[] {
  const list: Case[] = [];
  for (const n of [1_000, 1_000_000]) {
    const a = randn(n), b = randn(n);
    list.push({ name: `add, ${n} elements`, work: n, unit: "Gelem/s", fn: () => a.add(b) });
    list.push({ name: `mul, ${n} elements`, work: n, unit: "Gelem/s", fn: () => a.mul(b) });
    list.push({ name: `sum, ${n} elements`, work: n, unit: "Gelem/s", fn: () => a.sum() });
  }
  // float32 transcendental kernels (f32x4 polynomials; gelu through f64x2), 1M elements
  const x = randn(1_000_000), xpos = x.abs(), rows = randn(1000, 1000);
  list.push({ name: "exp, 1000000 elements", work: 1e6, unit: "Gelem/s", fn: () => x.exp() });
  list.push({ name: "log, 1000000 elements", work: 1e6, unit: "Gelem/s", fn: () => xpos.log() });
  list.push({ name: "tanh, 1000000 elements", work: 1e6, unit: "Gelem/s", fn: () => x.tanh() });
  list.push({ name: "sigmoid, 1000000 elements", work: 1e6, unit: "Gelem/s", fn: () => x.sigmoid() });
  list.push({ name: "gelu, 1000000 elements", work: 1e6, unit: "Gelem/s", fn: () => x.gelu() });
  list.push({ name: "softmax(1), [1000, 1000]", work: 1e6, unit: "Gelem/s", fn: () => rows.softmax(1) });
  const w = tensor([1.0], { requiresGrad: true }), c = tensor([1.0]);
  // per-op overhead: throughput means nothing here
  list.push({ name: "mul(2, w), 1 element, recorded", work: 0, unit: "", fn: () => mul(2, w) });
  list.push({ name: "mul(2, c), 1 element, no autograd", work: 0, unit: "", fn: () => noGrad(() => mul(2, c)) });
  return list;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * GFLOP/s of each matmul case per round, by wall-clock time and by this process's CPU time (the
 * machine may be shared: CPU time leaves out the time another process held the core). A round
 * times each case once in turn (as many calls as fill ~40 ms), so a burst of load hits every
 * case alike; the report gives the median over rounds.
 */
function matmulRounds(list: Case[], rounds: number): Map<string, { wall: number[]; cpu: number[] }> {
  const rates = new Map(list.map((c) => [c.name, { wall: [] as number[], cpu: [] as number[] }]));
  for (const c of list) for (let i = 0; i < 3; i++) c.fn().dispose();
  for (let r = 0; r < rounds; r++) {
    for (const c of list) {
      let calls = 0;
      const u0 = process.cpuUsage(), t0 = performance.now();
      let t = t0;
      while (t - t0 < 40 || calls < 2) { c.fn().dispose(); calls++; t = performance.now(); }
      const u = process.cpuUsage(u0);
      const rate = rates.get(c.name)!;
      rate.wall.push((c.work * calls) / ((t - t0) * 1e6));
      rate.cpu.push((c.work * calls) / ((u.user + u.system) * 1e3));
    }
  }
  return rates;
}

async function main(): Promise<void> {
  const rounds = Number(process.env.MATMUL_ROUNDS ?? 9);
  const mm = [...matmulCases(), ...fusedCases()];
  const rates = matmulRounds(mm, rounds);
  console.log(`Node ${process.version}; one thread, WASM SIMD`);
  const f = (v: number) => v.toFixed(2).padStart(9);
  console.log(`${"float32: GFLOP/s (losses: Gelem/s)".padEnd(36)} ${"wall".padStart(9)} ${"cpu".padStart(9)} ${"µs/call cpu".padStart(12)}   (median of ${rounds} rounds)`);
  for (const c of mm) {
    const r = rates.get(c.name)!, cpu = median(r.cpu);
    console.log(`${c.name.padEnd(36)} ${f(median(r.wall))} ${f(cpu)} ${(c.work / (cpu * 1e3)).toFixed(1).padStart(12)}`);
  }
  const fma = fmaNoDispose(1_000_000, 200);
  console.log("");
  console.log(`a * b + c, 1M floats, no dispose: ${fma.us.toFixed(0)} µs/step wall, ${fma.cpuUs.toFixed(0)} µs CPU; WASM memory ${fma.mib.toFixed(1)} MiB`);
  const bench = new Bench({ time: 500, warmupTime: 100, throws: true });
  const list = otherCases();
  for (const c of list) bench.add(c.name, () => { c.fn().dispose(); });
  await bench.run();
  console.log("");
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
