// The table's columns. A column turns a row into a Handle: check it once, then time it in rounds.
// JS columns run the row's Case in this process (after activating their runtime: wasmgrad's thread
// count, the tfjs backend); torch columns drive the same work in bench/torch_bench.py.

import * as wgp from "./peers/wasmgrad.js";
import { selectBackend, type TfjsBackend } from "./peers/tfjs.js";
import { initJax } from "./peers/jax.js";
import type { TorchChild } from "./peers/torch.js";
import { probeTwice, type Checked } from "./agree.js";
import { runFor, type PerCall } from "./timing.js";
import { Unsupported, type Case, type Inputs, type JsLibrary, type Row } from "./types.js";

export interface Handle {
  /** Runs two calls (one if the first takes over slowMs) and returns their probes. */
  check(slowMs: number): Promise<Checked>;
  warmup(ms: number): Promise<void>;
  /** Milliseconds per call, over `budgetMs` of calls (at least one). */
  time(budgetMs: number): Promise<PerCall>;
  dispose(): Promise<void>;
}

export interface Column {
  readonly header: string;
  /** More than one thread: its CPU time counts every thread, so the table shows its wall time. */
  readonly threaded: boolean;
  /** Set when the whole column cannot run (the reason goes in a footnote). */
  readonly na?: string;
  setup(row: Row, inputs: Inputs): Promise<Handle>;
}

function jsColumn(header: string, lib: JsLibrary, activate: () => Promise<void>, threaded = false, na?: string): Column {
  return {
    header,
    threaded,
    na,
    async setup(row, inputs) {
      await activate();
      const c: Case = await row.make(lib, inputs);
      const around = async <T>(fn: () => Promise<T>): Promise<T> => {
        globalThis.gc?.(); // the previous column's garbage must not be collected on this one's clock
        await activate();
        return fn();
      };
      return {
        check: (slowMs) => around(() => probeTwice(c, slowMs)),
        warmup: (ms) => around(async () => void (await runFor(c, ms))),
        time: (ms) => around(() => runFor(c, ms)),
        dispose: () => around(async () => c.dispose()),
      };
    },
  };
}

function torchColumn(header: string, child: TorchChild, threads: number): Column {
  return {
    header,
    threaded: threads > 1,
    async setup(row, inputs) {
      if (!row.torch) throw new Unsupported(`no PyTorch twin for ${row.id}`);
      const key = `${row.id}/${threads}`;
      const r = await child.request({ cmd: "setup", key, threads, dir: child.writeInputs(row.id, inputs), ...row.torch });
      if (typeof r.unsupported === "string") throw new Unsupported(r.unsupported);
      return {
        check: async (slowMs) => (await child.request({ cmd: "check", key, slowMs })) as unknown as Checked,
        warmup: async (ms) => void (await child.request({ cmd: "time", key, ms })),
        time: async (ms) => (await child.request({ cmd: "time", key, ms })) as unknown as PerCall,
        dispose: async () => void (await child.request({ cmd: "dispose", key })),
      };
    },
  };
}

export function jsColumns(): Column[] {
  const threads = wgp.threadApi();
  const noThreads = threads ? undefined : "this wasmgrad build exports no setNumThreads/getNumThreads";
  const tfjs = (b: TfjsBackend) => () => selectBackend(b);
  return [
    jsColumn("wasmgrad 1t", "wasmgrad", () => wgp.setThreads(1)),
    jsColumn(`wasmgrad all (${wgp.ALL_THREADS}t)`, "wasmgrad", () => wgp.setThreads(wgp.ALL_THREADS), true, noThreads),
    jsColumn("tfjs-cpu", "tfjs", tfjs("cpu")),
    jsColumn("tfjs-wasm", "tfjs", tfjs("wasm")),
    jsColumn("jax-js eager", "jax-eager", initJax),
    jsColumn("jax-js jit", "jax-jit", initJax),
  ];
}

export function torchColumns(child: TorchChild): Column[] {
  return [torchColumn("torch 1t", child, 1), torchColumn(`torch all (${wgp.ALL_THREADS}t)`, child, wgp.ALL_THREADS)];
}
