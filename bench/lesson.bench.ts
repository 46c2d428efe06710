// Benchmark: the PyTorch lesson's inner training step (examples/linear-regression.ts) in wasmgrad,
// against TensorFlow.js on its cpu and wasm backends, all in one Node process.
//
//   npm run bench            full run (7 rounds, about 40 s of timing)
//   npm run bench -- --quick smoke run
//
// The step is tiny (scalar tensors), so this measures per-op overhead of each library: graph
// recording, backward, reading a value back, and freeing temporaries.

import os from "node:os";
import { memory } from "wasmgrad";
import { parseOptions } from "./lib/options.js";
import { X_DATA, type Peer } from "./lib/lesson.js";
import { createWasmgradPeer } from "./lib/peers/wasmgrad.js";
import { createTfjsPeer, describeBackend, tfjsVersion } from "./lib/peers/tfjs.js";
import { checkSameWeights } from "./lib/check.js";
import { timeInRounds } from "./lib/rounds.js";
import { formatBytes, formatResults, formatRounds } from "./lib/report.js";

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()}-${os.arch()}, ${os.availableParallelism()} × ${cpu}`);
  console.log(`TensorFlow.js ${tfjsVersion()}`);
  if (typeof globalThis.gc !== "function") console.log("note: run with node --expose-gc so each peer starts on a collected heap");

  const wasmgrad = createWasmgradPeer();
  const tfjsCpu = await createTfjsPeer("cpu");
  const tfjsWasm = await createTfjsPeer("wasm");
  const backendWasm = describeBackend("wasm"); // read while the wasm backend is the active one
  const peers: readonly Peer[] = [wasmgrad, tfjsCpu, tfjsWasm];
  console.log(`tfjs backends: cpu (${describeBackend("cpu")}), wasm (${backendWasm})`);

  console.log("\nCorrectness (same steps, same w within tolerance):");
  const check = await checkSameWeights(peers);
  console.log(check.report);
  if (!check.ok) {
    console.error("\nPeers disagree on w: not timing them.");
    return 1;
  }

  const iterationsPerCall = opts.epochsPerCall * X_DATA.length;
  console.log(`\nTiming${opts.quick ? " (--quick)" : ""}: ${opts.rounds} rounds; each peer ${opts.warmupMs} ms warm-up + ` +
    `${opts.timeMs} ms per round; one call = ${opts.epochsPerCall} epochs = ${iterationsPerCall} inner iterations`);
  const started = performance.now();
  const times = await timeInRounds(peers, opts, (round) => process.stdout.write(`  round ${round + 1}/${opts.rounds} done\n`));
  const seconds = (performance.now() - started) / 1000;

  console.log("\nµs per inner iteration, per round:");
  console.log(formatRounds(times));
  console.log(`\nMedians over ${opts.rounds} rounds (ratio = per-round time ÷ wasmgrad's, median over rounds; > 1 means slower than wasmgrad):`);
  console.log(formatResults(times, wasmgrad.name));

  const mem = memory();
  console.log(`\nwasmgrad memory() after the run: ${mem.tensors} tensors held (most awaiting collection), ` +
    `${formatBytes(mem.bytes)} of tensor data, ${formatBytes(mem.heapBytes)} allocated in the core ` +
    `(peak ${formatBytes(mem.peakHeapBytes)}); WASM memory ${formatBytes(mem.wasmBytes)} (it never shrinks, so this is its peak size)`);
  // Unreachable tensors are released without any user call (a FinalizationRegistry): after a GC
  // and one event-loop turn, few should remain.
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const after = memory();
  console.log(`after a GC: ${after.tensors} tensors, ${formatBytes(after.bytes)}`);
  console.log(`timing took ${seconds.toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
