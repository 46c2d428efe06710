// A loop of 8 MiB temporaries, alone in a process so that WASM memory starts small:
// x = randn([2**21]); x.mul(2).add(1) every step, nothing disposed.
// Usage: node test/memory/temps.mjs <steps>; prints one line of JSON.
import { randn, memory } from "wasmgrad";

const steps = Number(process.argv[2] ?? 3000);
const x = randn([2 ** 21]);
let peak = 0, last = 0, done = 0;
const t0 = performance.now();
for (let i = 0; i < steps; i++) {
  const y = x.mul(2).add(1);
  if ((i & 63) === 0) last = y.sum().item();
  peak = Math.max(peak, memory().wasmBytes);
  done++;
}
const ms = performance.now() - t0;
console.log(JSON.stringify({
  steps: done, usPerStep: (ms * 1000) / steps, peakWasmBytes: peak, peakHeapBytes: memory().peakHeapBytes,
  liveTensors: memory().tensors, check: last,
}));
