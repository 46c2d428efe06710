// TensorFlow.js on one of its backends ("cpu": plain JS kernels; "wasm": the XNNPACK-based
// WebAssembly backend, one thread in Node). Both live in this process; each column activates its
// backend before it runs, and tensors stay on the backend that created them.

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Arr } from "../types.js";

export { tf };
export type TfjsBackend = "cpu" | "wasm";

// In tfjs 4.22 the PROD flag only gates console warnings (no check is skipped, timing is unchanged).
// It silences the banner the cpu backend prints on first use in Node, which recommends tfjs-node:
// a native TensorFlow addon, not a WebAssembly/JS peer, and deliberately not compared here.
tf.enableProdMode();

let wasmBinariesLocated = false;

/** In Node the wasm backend cannot find its .wasm files on its own: give it their directory. */
function locateWasmBinaries(): void {
  if (wasmBinariesLocated) return;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  setWasmPaths(`${dir}/`); // a prefix: it must end in "/"
  wasmBinariesLocated = true;
}

/** Makes `backend` the active tfjs backend, and proves it: setBackend can fall back silently. */
export async function selectBackend(backend: TfjsBackend): Promise<void> {
  if (backend === "wasm") locateWasmBinaries();
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tfjs: could not activate the "${backend}" backend (active: "${tf.getBackend()}")`);
  }
}

/** How the active backend runs, for the report (e.g. whether the wasm one uses SIMD). */
export function describeBackend(backend: TfjsBackend): string {
  if (backend === "cpu") return "plain JS kernels";
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  return `WebAssembly, SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off"}`;
}

export function tfjsVersion(): string {
  return tf.version.tfjs;
}

export function fromArr(a: Arr): tf.Tensor {
  return tf.tensor(a.data, [...a.shape], "float32");
}

export function intLabels(a: Arr): tf.Tensor {
  return tf.tensor(Int32Array.from(a.data), [...a.shape], "int32");
}
