// wasmgrad: tensors from the shared inputs, and the thread count of its kernels. setNumThreads and
// getNumThreads are looked up at run time: a build without them runs the "all threads" column as n/a.

import os from "node:os";
import * as wg from "wasmgrad";
import type { Arr } from "../types.js";

interface ThreadApi {
  setNumThreads(n: number): unknown;
  getNumThreads(): number;
}

export function threadApi(): ThreadApi | null {
  const m = wg as unknown as Partial<ThreadApi>;
  return typeof m.setNumThreads === "function" && typeof m.getNumThreads === "function" ? (m as ThreadApi) : null;
}

/** All threads means one per core, as torch's default. */
export const ALL_THREADS = os.availableParallelism();

export async function setThreads(n: number): Promise<void> {
  const api = threadApi();
  if (!api) {
    if (n !== 1) throw new Error("wasmgrad: this build has no setNumThreads");
    return;
  }
  await api.setNumThreads(n);
  const got = api.getNumThreads();
  if (got !== n) throw new Error(`wasmgrad: setNumThreads(${n}) left getNumThreads() = ${got}`);
}

export function fromArr(a: Arr, requiresGrad = false): wg.Tensor {
  return wg.tensor(a.data, { requiresGrad }).reshape([...a.shape]).detach().requiresGrad_(requiresGrad);
}

export function intLabels(a: Arr): wg.Tensor {
  return wg.tensor(Int32Array.from(a.data));
}

/** Elements of a tensor at flat indices, for probes. */
export function readAt(t: wg.Tensor, indices: readonly number[]): number[] {
  const d = t.dataSync();
  return indices.map((i) => d[i]);
}
