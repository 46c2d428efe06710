// The cost of automatic release against tidy(), on an MLP training step whose temporaries are
// large enough that the heap, not the tensor count, decides when to collect:
// x[64, 256] @ W1[256, 256] -> relu -> @ W2[256, 10], mean squared error, backward, SGD by hand
// under noGrad. The same loop runs with no dispose ("auto") and inside tidy(), alternately in
// rounds, so that load from other processes falls on both alike; medians of the rounds are compared.
// Run: npm run bench:memory [-- --rounds 9 --steps 500 --gc-heap-mib 12]

import { randn, noGrad, tidy, memory, manualSeed, setMemoryOptions, type Tensor } from "wasmgrad";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? NaN : Number(process.argv[i + 1]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = arg("rounds", 9);
const STEPS = arg("steps", 500);
const LR = 1e-3;
const GC_HEAP_MIB = arg("gc-heap-mib", 0);
if (GC_HEAP_MIB) setMemoryOptions({ gcHeapBytes: GC_HEAP_MIB * 2 ** 20 });

manualSeed(0);
const x = randn([64, 256]);
const y = randn([64, 10]);
const w1: Tensor = randn([256, 256]).mul(1 / 16).requiresGrad_();
const w2: Tensor = randn([256, 10]).mul(1 / 16).requiresGrad_();

function step(): number {
  const loss = x.matmul(w1).relu().matmul(w2).sub(y).pow(2).mean();
  loss.backward();
  noGrad(() => {
    w1.sub_(w1.grad!.mul(LR));
    w2.sub_(w2.grad!.mul(LR));
  });
  w1.grad!.zero_();
  w2.grad!.zero_();
  return loss.item();
}

/** µs per step: wall clock and this process's CPU time (less disturbed by other processes). */
function run(withTidy: boolean): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) withTidy ? tidy(step) : step();
  const wall = ((performance.now() - t0) * 1000) / STEPS;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / STEPS };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

function main(): void {
  run(false); // warm up both paths
  run(true);
  const auto: { wall: number; cpu: number }[] = [], tidied: { wall: number; cpu: number }[] = [];
  let peak = 0;
  for (let r = 0; r < ROUNDS; r++) {
    auto.push(run(false));
    peak = Math.max(peak, memory().wasmBytes);
    tidied.push(run(true));
  }
  const aw = median(auto.map((t) => t.wall)), tw = median(tidied.map((t) => t.wall));
  const ac = median(auto.map((t) => t.cpu)), tc = median(tidied.map((t) => t.cpu));
  console.log(`Node ${process.version}; MLP step (64x256 @ 256x256 -> relu -> @ 256x10), ${ROUNDS} rounds of ${STEPS} steps each way${GC_HEAP_MIB ? `, gcHeapBytes ${GC_HEAP_MIB} MiB` : ""}`);
  console.log(`µs per step, wall:  no dispose ${aw.toFixed(0)}, tidy ${tw.toFixed(0)}; ratio ${(aw / tw).toFixed(3)}`);
  console.log(`µs per step, CPU:   no dispose ${ac.toFixed(0)}, tidy ${tc.toFixed(0)}; ratio ${(ac / tc).toFixed(3)}`);
  console.log(`peak WASM memory: ${(peak / (1 << 20)).toFixed(2)} MiB; loss ${step().toFixed(6)}`);
}

main();
