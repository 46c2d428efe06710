// jax-js (@jax-js/jax) on its "wasm" device, on the main thread (Node has no global Worker, so
// jax-js does not start its worker pool). Arrays are reference-counted: every call takes ownership
// of its arguments, so a value used again is passed as `x.ref`. Operations are lazy: a timed step
// ends by waiting for its results (blockUntilReady) or reading a value.

import { init, numpy as np, blockUntilReady, jit } from "@jax-js/jax";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Arr } from "../types.js";

let ready: Promise<void> | null = null;

export function initJax(): Promise<void> {
  ready ??= init("wasm").then((devices) => {
    if (!devices.includes("wasm")) throw new Error(`jax-js: no wasm device (got ${devices.join(", ")})`);
  });
  return ready;
}

export function jaxVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@jax-js/jax").replace(/dist\/index\.(c?js)$/, "package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

export function fromArr(a: Arr): np.Array {
  return np.array(a.data).reshape([...a.shape]);
}

export function intLabels(a: Arr): np.Array {
  return np.array(Int32Array.from(a.data), { dtype: np.int32 });
}

export async function settle(...xs: np.Array[]): Promise<void> {
  await blockUntilReady(xs);
}

/** Reads a few elements of x (consuming x), for probes. */
export function readAt(x: np.Array, indices: readonly number[]): number[] {
  const d = x.dataSync();
  return indices.map((i) => d[i]);
}

/** f itself (eager) or f compiled by jit, with the compiled function's dispose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function maybeJit<F extends (...args: any[]) => any>(f: F, useJit: boolean): { fn: F; dispose(): void } {
  if (!useJit) return { fn: f, dispose: () => undefined };
  const compiled = jit(f);
  return { fn: compiled as unknown as F, dispose: () => compiled.dispose() };
}
