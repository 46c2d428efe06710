// wasmgrad running the lesson line for line as examples/linear-regression.ts does.

import { tensor, mul, sub, type Tensor } from "wasmgrad";
import { X_DATA, Y_DATA, W_START, LEARNING_RATE, type Peer } from "../lesson.js";

export function createWasmgradPeer(): Peer {
  const w: Tensor = tensor([W_START]);
  w.requiresGrad = true;

  return {
    name: "wasmgrad",
    async activate() {
      // Nothing to select: the WASM core is ready after import.
    },
    reset() {
      w.data = tensor([W_START]);
    },
    train(epochs) {
      let gradSum = 0;
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let i = 0; i < X_DATA.length; i++) {
          const l = sub(mul(X_DATA[i], w), Y_DATA[i]).pow(2);
          l.backward();
          gradSum += w.grad!.item();
          w.data = sub(w.data, mul(LEARNING_RATE, w.grad!.data));
          w.grad!.data.zero_();
        }
      }
      return gradSum;
    },
    weight() {
      return w.item();
    },
    verify() {
      if (!w.requiresGrad || !w.isLeaf) throw new Error("wasmgrad: w stopped being a leaf that requires grad");
    },
  };
}
