// torch.set_num_threads / get_num_threads. Kernels split across threads only in a threads build of
// the core (Node, or a cross-origin-isolated page); elsewhere there is one thread and setting more
// does nothing, as in a PyTorch build without a parallel backend. Results never depend on the count.

import { W, onLoad, coreBuild, setParallelRunner } from "./wasm/load.js";
import { parallelRun, resizePool } from "./wasm/pool.js";
import { DTypeError, WasmgradError, safeString } from "./errors.js";

/** Most threads a pool may have. */
const MAX_THREADS = 256;

let threads = 1;

function threadsPossible(): boolean {
  return !!coreBuild()?.memory;
}

/** The machine's cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in a page. */
function defaultThreads(): number {
  let n = 1;
  if (typeof process !== "undefined" && process.versions?.node) {
    const os = process.getBuiltinModule("node:os") as typeof import("node:os");
    n = os.availableParallelism?.() ?? os.cpus().length;
  } else {
    n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(n) || 1));
}

onLoad(() => {
  if (!threadsPossible()) return;
  setParallelRunner(parallelRun);
  apply(defaultThreads());
});

function apply(n: number): void {
  threads = n;
  resizePool(n);
  W.setThreads(n);
}

/**
 * Sets how many threads kernels may use (torch.set_num_threads), the calling thread included.
 * Workers start when a kernel first needs them. Where threads are impossible (a page that is not
 * cross-origin isolated, or a core given as a plain build) the count stays 1.
 *
 * ```ts
 * setNumThreads(1);   // everything on the calling thread
 * ```
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number") throw new DTypeError(`setNumThreads: expected a number of threads, got ${safeString(n)}`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new WasmgradError(`setNumThreads: the number of threads must be an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
  if (threadsPossible()) apply(n);
}

/** The number of threads kernels may use (torch.get_num_threads); 1 where threads are impossible. */
export function getNumThreads(): number {
  return threads;
}
