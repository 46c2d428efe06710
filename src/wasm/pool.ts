// The thread pool behind the core's parallel regions (assembly/kernels/parallel.ts). Workers
// (Node worker_threads, or Web Workers in a cross-origin-isolated page) each instantiate the same
// threads build over the same shared memory, without initialising it, and wait on a small control
// block. A region publishes its task count; every thread, the caller included, claims task indices
// with a compare-exchange until none is left, and the caller returns once all are done. A worker
// that is late (the machine is busy) simply finds nothing left to claim, so the caller never waits
// for a thread that has not started.

import { W, coreBuild } from "./load.js";

// Control block: an i64 claim word (generation << 32 | tasks << 16 | next task), then i32s.
const GEN = 2; // generation of the current region, for waiting on
const DONE = 3; // tasks finished in it
const ERROR = 4; // 1 when a worker's task threw
const ACTIVE = 5; // threads allowed to claim: workers of slot >= ACTIVE stay idle
const BY_WORKERS = 6; // tasks run by workers so far (read by tests)
const CTL_BYTES = 64;
const MAX_TASKS = 0xffff;

// Spins before sleeping: a thread woken from Atomics.wait starts tens of microseconds late (a
// futex wake-up), on the critical path of every region: the worker polls for the next region
// ~0.5 ms (100,000 Atomics.load at ~5.6 ns, measured) and the caller for the last tasks ~0.1 ms
// before they sleep, as OpenMP runtimes spin before blocking. Alternating runs, 2 threads:
// matmul 256 74.6-76.7 -> 79.1-80.6 GFLOP/s; a*b+c on 1M floats 36.1-39.0 -> 43.3-46.5 GB/s.
const WORKER_SPINS = 100000;
const CALLER_SPINS = 20000;

// Runs as a worker's whole program (Node evaluates it as CommonJS; browsers from a Blob URL).
// Kept as source text: it must not depend on anything the bundler puts around this module. It
// never calls initMemory: the calling thread's memory is already initialised.
const WORKER_SOURCE = `"use strict";
const WORKER_SPINS = ${WORKER_SPINS};
const run = ({ module, memory, ctl, slot }) => {
  const env = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind === "memory") env[i.name] = memory;
    else if (i.kind === "function") env[i.name] = () => { throw new Error(i.name + " on a worker"); };
  }
  const x = new WebAssembly.Instance(module, { env }).exports;
  const c32 = new Int32Array(ctl), c64 = new BigInt64Array(ctl);
  let seen = Atomics.load(c32, ${GEN});
  for (;;) {
    let g = Atomics.load(c32, ${GEN});
    for (let spin = 0; g === seen; spin++) {
      if (spin > WORKER_SPINS) Atomics.wait(c32, ${GEN}, seen);
      g = Atomics.load(c32, ${GEN});
    }
    seen = g;
    for (;;) {
      const w = Atomics.load(c64, 0);
      if ((Number(w >> 32n) | 0) !== g) break;
      const n = Number((w >> 16n) & 0xffffn), t = Number(w & 0xffffn);
      if (t >= n || slot >= Atomics.load(c32, ${ACTIVE})) break;
      if (Atomics.compareExchange(c64, 0, w, w + 1n) !== w) continue;
      try { x.runTask(t, slot); } catch { Atomics.store(c32, ${ERROR}, 1); }
      Atomics.add(c32, ${BY_WORKERS}, 1);
      if (Atomics.add(c32, ${DONE}, 1) + 1 === n) Atomics.notify(c32, ${DONE});
    }
  }
};
if (typeof process !== "undefined" && process.versions && process.versions.node) run(require("node:worker_threads").workerData);
else self.onmessage = (e) => run(e.data);
`;

interface WorkerLike { postMessage?(m: unknown): void }

const isNode = typeof process !== "undefined" && !!process.versions?.node;
// Atomics.wait is refused on a browser's main thread: the caller spins there instead
const canWait = isNode || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";

let ctl: SharedArrayBuffer | null = null;
let c32: Int32Array = new Int32Array(0);
let c64: BigInt64Array = new BigInt64Array(0);
let gen = 0;
let workers: WorkerLike[] = []; // workers[i] has slot i + 1
let size = 1; // threads of the pool, the caller included
let blobUrl: string | null = null;
let cannotSpawn = false;

/**
 * Sets the pool's thread count (caller included). Workers start at the next region that needs
 * them; workers past a smaller count stay (idle, claiming nothing), so that raising it again costs
 * no start-up.
 */
export function resizePool(n: number): void {
  size = n;
  if (ctl) Atomics.store(c32, ACTIVE, n);
}

function spawn(slot: number): WorkerLike | null {
  const b = coreBuild();
  if (!b?.memory || !ctl) return null;
  try {
    return start({ module: b.module, memory: b.memory, ctl, slot });
  } catch {
    return null; // no workers here (a sandbox, a policy): the calling thread does all the work
  }
}

function start(data: { module: WebAssembly.Module; memory: WebAssembly.Memory; ctl: SharedArrayBuffer; slot: number }): WorkerLike {
  if (isNode) {
    const wt = process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads");
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: data });
    w.unref(); // an idle pool never keeps the process alive
    w.on("error", () => { /* a worker that died claims nothing; the caller runs its tasks */ });
    return w;
  }
  const g = globalThis as unknown as {
    Worker: new (url: string) => { postMessage(m: unknown): void };
    Blob: new (parts: string[], o: { type: string }) => object;
    URL: { createObjectURL(b: object): string };
  };
  blobUrl ??= g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const w = new g.Worker(blobUrl);
  w.postMessage(data);
  return w;
}

function ready(): boolean {
  if (!ctl) {
    ctl = new SharedArrayBuffer(CTL_BYTES);
    c32 = new Int32Array(ctl);
    c64 = new BigInt64Array(ctl);
    Atomics.store(c32, ACTIVE, size);
  }
  while (workers.length < size - 1 && !cannotSpawn) {
    const w = spawn(workers.length + 1);
    if (w) workers.push(w);
    else cannotSpawn = true; // not tried again: regions run on the workers there are
  }
  return workers.length > 0;
}

/** Claims and runs tasks of generation g on slot 0 until none is left; the first error thrown. */
function claimAll(g: number): unknown {
  let failure: unknown = null;
  for (;;) {
    const w = Atomics.load(c64, 0);
    const n = Number((w >> 16n) & 0xffffn), t = Number(w & 0xffffn);
    if ((Number(w >> 32n) | 0) !== g || t >= n) return failure;
    if (Atomics.compareExchange(c64, 0, w, w + 1n) !== w) continue;
    try {
      W.runTask(t, 0);
    } catch (e) {
      failure ??= e;
    }
    Atomics.add(c32, DONE, 1);
  }
}

/** Tasks that workers (not the calling thread) have run so far. */
export function workerTasks(): number {
  return ctl ? Atomics.load(c32, BY_WORKERS) : 0;
}

/** The core's env.parallelRun: runs tasks 0..nTasks-1 of the job in its record, on every thread. */
export function parallelRun(nTasks: number): void {
  if (nTasks > MAX_TASKS || !ready()) {
    for (let t = 0; t < nTasks; t++) W.runTask(t, 0);
    return;
  }
  const g = (gen = (gen + 1) | 0);
  Atomics.store(c32, DONE, 0);
  Atomics.store(c32, ERROR, 0);
  Atomics.store(c64, 0, (BigInt(g >>> 0) << 32n) | (BigInt(nTasks) << 16n));
  Atomics.store(c32, GEN, g);
  Atomics.notify(c32, GEN);
  const failure = claimAll(g);
  // every claimed task must finish before the caller goes on: they write memory it will reuse
  for (let d = Atomics.load(c32, DONE), spin = 0; d < nTasks; d = Atomics.load(c32, DONE), spin++) {
    if (canWait && spin > CALLER_SPINS) Atomics.wait(c32, DONE, d, 1);
  }
  if (failure) throw failure;
  if (Atomics.load(c32, ERROR)) {
    throw new Error("wasmgrad: internal error in the WASM core on a worker thread; please report it");
  }
}
