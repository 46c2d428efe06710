// The lesson loop alone in a process (no peer library loaded, so the JS heap is small):
// µs per inner iteration over 1,000,000 iterations, three times, and the peak WASM memory.
// `npm run bench` is the comparison with the peers; this isolates wasmgrad's own cost.
// Run: npm run bench:alone

import { memory } from "wasmgrad";
import { wasmgradLesson } from "./lib/lesson.js";

const EPOCHS = 1_000_000 / 3;

function main(): void {
  const peer = wasmgradLesson();
  const times: number[] = [];
  let peak = 0;
  for (let run = 0; run < 3; run++) {
    peer.reset();
    const t0 = performance.now();
    // one call per 1000 epochs, so the peak memory can be sampled along the way
    for (let done = 0; done < EPOCHS; done += 1000) {
      peer.train(Math.min(1000, EPOCHS - done));
      peak = Math.max(peak, memory().wasmBytes);
    }
    times.push(((performance.now() - t0) * 1000) / (EPOCHS * 3));
  }
  if (!peer.w.requiresGrad || !peer.w.isLeaf) throw new Error("wasmgrad: w stopped being a leaf that requires grad");
  console.log(`Node ${process.version}; lesson loop, 1,000,000 inner iterations per run`);
  console.log(`µs per iteration, runs: ${times.map((t) => t.toFixed(3)).join(", ")}; median ${[...times].sort((a, b) => a - b)[1].toFixed(3)}`);
  console.log(`peak WASM memory: ${(peak / (1 << 20)).toFixed(2)} MiB; w = ${peer.weight()}`);
}

main();
