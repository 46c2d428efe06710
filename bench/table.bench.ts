// `npm run bench`: one process times the same work in wasmgrad (one thread and all threads),
// TensorFlow.js (cpu and wasm backends), jax-js (eager and jit) and, with --torch, PyTorch
// (a child process), alternating the columns over rounds, and prints medians and ratios as one
// Markdown table. Every column is checked to compute the same values before it is timed.
//
//   npm run bench                     every row (about 5 minutes on 2 cores; longer when loaded)
//   npm run bench -- --torch          adds PyTorch on 1 thread and on all threads
//   npm run bench -- --quick          2 short rounds: checks that everything runs
//   npm run bench -- --only=matmul,mlp   rows by id or id prefix

import os from "node:os";
import { ROWS, selectRows } from "./rows/index.js";
import { jsColumns, torchColumns, type Column } from "./lib/columns.js";
import { parseOptions } from "./lib/options.js";
import { runRow, type RowResult } from "./lib/harness.js";
import { cellMs, formatTable, inUnit, type TableColumn } from "./lib/table.js";
import { describeBackend, selectBackend, tfjsVersion } from "./lib/peers/tfjs.js";
import { initJax, jaxVersion } from "./lib/peers/jax.js";
import { threadApi } from "./lib/peers/wasmgrad.js";
import { PYTHON, TorchChild, torchAvailable } from "./lib/peers/torch.js";

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const rows = selectRows(opts.only);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()}-${os.arch()}, ${os.availableParallelism()} × ${cpu}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  await selectBackend("wasm");
  const wasmInfo = describeBackend("wasm");
  await selectBackend("cpu");
  await initJax();
  console.log(`TensorFlow.js ${tfjsVersion()} (cpu: plain JS kernels; wasm: ${wasmInfo}); jax-js ${jaxVersion()} (wasm device, main thread)`);
  console.log(`wasmgrad threads: ${threadApi() ? "setNumThreads available" : "no setNumThreads in this build (the all-threads column is n/a)"}`);
  if (typeof globalThis.gc !== "function") console.log("note: run with node --expose-gc so each column starts on a collected heap");

  const columns: Column[] = jsColumns();
  let child: TorchChild | null = null;
  if (opts.torch) {
    const torch = torchAvailable();
    if ("version" in torch) {
      child = new TorchChild();
      columns.push(...torchColumns(child));
      console.log(`PyTorch ${torch.version} (${PYTHON}, a child process answering in the same rounds)`);
    } else {
      console.log(`--torch: ${torch.reason}; no torch columns`);
    }
  }
  console.log(`${rows.length} of ${ROWS.length} rows; ${opts.rounds} rounds; each column ${opts.timeMs} ms per round (at least one call) after ${opts.warmupMs} ms of warm-up\n`);

  const shown: TableColumn[] = columns.map((c) => ({ header: c.header, wall: opts.wall || c.threaded }));
  const started = performance.now();
  const results: RowResult[] = [];
  let wrong = false;
  try {
    for (const row of rows) {
      const t0 = performance.now();
      const result = await runRow(row, columns, opts);
      results.push(result);
      const figures = result.cells.map((c, i) => {
        const ms = cellMs(c, shown[i].wall);
        return `${columns[i].header} ${ms !== null ? inUnit(row, ms).toPrecision(3) : c.mark}`;
      });
      console.log(`${row.label} [${row.unit}] (${((performance.now() - t0) / 1000).toFixed(1)} s): ${figures.join(", ")}`);
      for (const line of result.log) console.log(`    ${line}`);
      wrong ||= result.cells.some((c, i) => c.mark === "✗" && columns[i].header.startsWith("wasmgrad"));
    }
  } finally {
    child?.close();
  }
  console.log("");
  console.log(formatTable(results, shown));
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (wrong) console.error("\nwasmgrad disagrees with the float64 reference or the peers on some row (✗ above)");
  return wrong ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
