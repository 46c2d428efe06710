// The MLP training loop of test/memory-mlp.test.ts and bench/memory.bench.ts, alone in a process so
// that WASM memory starts small: x[64, 256] @ W1[256, 256] -> relu -> @ W2[256, 10], mean squared
// error, backward, SGD by hand under noGrad. Live data is about 0.6 MB.
// Usage: node test/memory/mlp.mjs <steps> <auto|tidy|data> [gcHeapBytes in MiB]; prints one line of JSON.
import { randn, noGrad, tidy, memory, manualSeed, setMemoryOptions } from "wasmgrad";

const steps = Number(process.argv[2] ?? 5000);
const mode = process.argv[3] ?? "auto";
const lr = 1e-3;
if (process.argv[4]) setMemoryOptions({ gcHeapBytes: Number(process.argv[4]) * 2 ** 20 });

manualSeed(0);
const x = randn([64, 256]);
const y = randn([64, 10]);
const w1 = randn([256, 256]).mul(1 / 16).requiresGrad_();
const w2 = randn([256, 10]).mul(1 / 16).requiresGrad_();

function step() {
  const loss = x.matmul(w1).relu().matmul(w2).sub(y).pow(2).mean();
  loss.backward();
  if (mode === "data") {
    // the same update written through .data, outside noGrad
    w1.data.sub_(w1.grad.mul(lr));
    w2.data.sub_(w2.grad.mul(lr));
  } else {
    noGrad(() => {
      w1.sub_(w1.grad.mul(lr));
      w2.sub_(w2.grad.mul(lr));
    });
  }
  w1.grad.zero_();
  w2.grad.zero_();
  return loss.item();
}

let peak = 0, first = 0, last = 0;
const t0 = performance.now();
for (let i = 0; i < steps; i++) {
  last = mode === "tidy" ? tidy(step) : step();
  if (i === 0) first = last;
  if ((i & 15) === 0) peak = Math.max(peak, memory().wasmBytes);
}
const ms = performance.now() - t0;
const m = memory();
peak = Math.max(peak, m.wasmBytes);
console.log(JSON.stringify({
  steps, mode, usPerStep: (ms * 1000) / steps, peakWasmBytes: peak, peakHeapBytes: m.peakHeapBytes,
  liveTensors: m.tensors, firstLoss: first, lastLoss: last,
}));
