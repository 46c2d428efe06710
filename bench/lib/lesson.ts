// The workload shared by every peer: the classic PyTorch lesson fitting y = w * x by hand-written SGD
// (examples/linear-regression.ts). One inner iteration is: forward l = (x*w - y)**2, l.backward(),
// read w.grad (the lesson prints it every step), w.data = w.data - 0.01 * w.grad.data, zero the grad.

export const X_DATA: readonly number[] = [1.0, 2.0, 3.0];
export const Y_DATA: readonly number[] = [2.0, 4.0, 6.0];
export const W_START = 1.0;
export const LEARNING_RATE = 0.01;

/** One implementation of the lesson, driven identically by the correctness check and the timer. */
export interface Peer {
  readonly name: string;
  /** Makes this peer's runtime the active one; called before each of its tasks. */
  activate(): Promise<void>;
  /** Puts w back to W_START, so every timed call replays the same steps of the lesson. */
  reset(): void;
  /** Runs `epochs` passes over the 3 samples; returns the sum of the gradients read, so no read is dead code. */
  train(epochs: number): number;
  /** The current value of w. */
  weight(): number;
  /** Throws if the peer no longer runs as intended (wrong backend, leaked tensors). */
  verify(): void;
}

/** The same steps in float64 plain JS: an independent value for the correctness check. */
export function referenceWeight(epochs: number): number {
  let w = W_START;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < X_DATA.length; i++) {
      const grad = 2 * X_DATA[i] * (X_DATA[i] * w - Y_DATA[i]);
      w = w - LEARNING_RATE * grad;
    }
  }
  return w;
}
