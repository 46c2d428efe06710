// TensorFlow.js running the lesson on one of its backends ("cpu": plain JS kernels; "wasm": the
// XNNPACK-based WebAssembly backend). Written as close to the lesson as tfjs allows: tfjs has no
// .grad slot on tensors, so the gradient of the loss w.r.t. the variable w comes from
// tf.variableGrads, is read with dataSync() (as the lesson prints it), and w is updated with
// assign(w - 0.01 * grad). Nothing accumulates, so there is no zero_ step. tf.tidy frees each
// step's temporaries, the way a careful tfjs user would write the loop.

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { X_DATA, Y_DATA, W_START, LEARNING_RATE, type Peer } from "../lesson.js";

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
async function selectBackend(backend: TfjsBackend): Promise<void> {
  if (backend === "wasm") locateWasmBinaries();
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tfjs: could not activate the "${backend}" backend (active: "${tf.getBackend()}")`);
  }
}

/** Describes how the active backend runs, for the report (e.g. whether the wasm one uses SIMD). */
export function describeBackend(backend: TfjsBackend): string {
  if (backend === "cpu") return "plain JS kernels";
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  return `WebAssembly, SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off"}`;
}

export async function createTfjsPeer(backend: TfjsBackend): Promise<Peer> {
  await selectBackend(backend);
  // Created while `backend` is active, so w's storage lives on that backend.
  // The initial scalar is disposed by tidy: left alive it would keep a second buffer on the backend.
  const w = tf.tidy(() => tf.variable(tf.scalar(W_START)));
  const home = tf.engine().findBackend(backend);

  const peer: Peer = {
    name: `tfjs-${backend}`,
    activate: () => selectBackend(backend),
    reset() {
      tf.tidy(() => w.assign(tf.scalar(W_START)));
    },
    train(epochs) {
      let gradSum = 0;
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let i = 0; i < X_DATA.length; i++) {
          const x = X_DATA[i];
          const y = Y_DATA[i];
          gradSum += tf.tidy(() => {
            // variableGrads needs a rank-0 loss, hence the scalar w (the lesson's w has shape [1]).
            const { grads } = tf.variableGrads(() => tf.pow(tf.sub(tf.mul(x, w), y), 2) as tf.Scalar, [w]);
            const grad = grads[w.name];
            const read = grad.dataSync()[0];
            w.assign(tf.sub(w, tf.mul(LEARNING_RATE, grad)));
            return read;
          });
        }
      }
      return gradSum;
    },
    weight() {
      return w.dataSync()[0];
    },
    verify() {
      if (tf.getBackend() !== backend) throw new Error(`${peer.name}: ran on "${tf.getBackend()}"`);
      // tfjs moves a tensor to whichever backend touches it; w must not have wandered.
      const where = tf.engine().state.tensorInfo.get(w.dataId)?.backend;
      if (where !== home) throw new Error(`${peer.name}: w is no longer stored on the "${backend}" backend`);
      // Only w (one tensor) may stay alive on this backend: anything more is a leak that would skew timing.
      if (home.numDataIds() !== 1) throw new Error(`${peer.name}: ${home.numDataIds()} tensors alive on "${backend}", expected 1`);
    },
  };
  return peer;
}

export function tfjsVersion(): string {
  return tf.version.tfjs;
}
