// The seed lesson (examples/linear-regression.ts) as wasmgrad runs it, its constants, and the same
// steps in float64 plain JS. No peer library is imported here, so bench:alone loads wasmgrad only.

import { tensor, mul, sub, type Tensor } from "wasmgrad";

export const X_DATA: readonly number[] = [1.0, 2.0, 3.0];
export const Y_DATA: readonly number[] = [2.0, 4.0, 6.0];
export const W_START = 1.0;
export const LEARNING_RATE = 0.01;
/** The same steps in float64 plain JS: an independent value for the correctness check. */
export function referenceWeight(epochs: number): number {
  let w = W_START;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < X_DATA.length; i++) w -= LEARNING_RATE * 2 * X_DATA[i] * (X_DATA[i] * w - Y_DATA[i]);
  }
  return w;
}

/** The lesson loop line for line; also run alone by bench/lesson-alone.bench.ts. */
export function wasmgradLesson(): { train(epochs: number): number; weight(): number; reset(): void; w: Tensor } {
  const w: Tensor = tensor([W_START]);
  w.requiresGrad = true;
  return {
    w,
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
    weight: () => w.item(),
  };
}
