// A loop whose body runs in tidy() beside 12 MiB of kept tensors, alone in a process: while the
// body runs, its four 4 MiB temporaries push the core's heap past the forced-GC threshold, but an
// open tidy() scope holds them, so no GC could free them and none may be forced.
// Usage: node test/memory/tidy-large.mjs <steps>; prints one line of JSON.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { randn, tidy } from "wasmgrad";

const steps = Number(process.argv[2] ?? 200);
const n = 1 << 20;
const a = randn([n]), b = randn([n]), c = randn([n]);
let majorGcs = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
});
obs.observe({ entryTypes: ["gc"] });
let check = 0;
const t0 = performance.now();
for (let i = 0; i < steps; i++) tidy(() => { check = a.mul(b).add(c).mul(a).sub(b).sum().item(); });
const ms = performance.now() - t0;
// gc entries arrive on a later turn of the event loop
setTimeout(() => {
  obs.disconnect();
  console.log(JSON.stringify({ steps, usPerStep: (ms * 1000) / steps, majorGcs, check }));
}, 50);
