// The seed lesson's inner step (examples/linear-regression.ts): fit y = w * x by hand-written SGD.
// One step: forward l = (x*w - y)**2, backward, read w.grad (the lesson prints it), w = w - 0.01 * grad,
// zero the grad. The tensors are tiny, so this measures each library's per-op overhead.

import { numpy as np, valueAndGrad } from "@jax-js/jax";
import { maybeJit } from "../lib/peers/jax.js";
import { tf } from "../lib/peers/tfjs.js";
import type { Case, Row } from "../lib/types.js";
import { X_DATA, Y_DATA, W_START, LEARNING_RATE, referenceWeight, wasmgradLesson } from "../lib/lesson.js";

/** Epochs of the 3 samples per timed call. */
const EPOCHS_PER_CALL = 30;

// tfjs has no .grad slot: the gradient comes from tf.variableGrads, is read with dataSync() (as the
// lesson prints it), and w is updated with assign. tf.tidy frees each step's temporaries.
function tfjsLesson(): Case {
  const w = tf.tidy(() => tf.variable(tf.scalar(W_START)));
  return {
    step() {
      for (let epoch = 0; epoch < EPOCHS_PER_CALL; epoch++) {
        for (let i = 0; i < X_DATA.length; i++) {
          const x = X_DATA[i], y = Y_DATA[i];
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => tf.pow(tf.sub(tf.mul(x, w), y), 2) as tf.Scalar, [w]);
            const grad = grads[w.name];
            grad.dataSync();
            w.assign(tf.sub(w, tf.mul(LEARNING_RATE, grad)));
          });
        }
      }
    },
    probe: () => [w.dataSync()[0]],
    dispose: () => w.dispose(),
  };
}

// jax-js: valueAndGrad of the loss; eager, or the whole step (loss, gradient, update) under jit.
function jaxLesson(useJit: boolean): Case {
  let w = np.array([W_START]);
  const xs = X_DATA.map((x) => np.array([x])), ys = Y_DATA.map((y) => np.array([y]));
  const lossAndGrad = valueAndGrad((w: np.Array, x: np.Array, y: np.Array) => np.square(w.mul(x).sub(y)).sum());
  const eager = (w: np.Array, x: np.Array, y: np.Array): [np.Array, np.Array] => {
    const [l, g] = lossAndGrad(w.ref, x, y);
    l.dispose();
    return [w.sub(g.ref.mul(LEARNING_RATE)), g];
  };
  const { fn: stepFn, dispose } = maybeJit(eager, useJit);
  return {
    step() {
      for (let epoch = 0; epoch < EPOCHS_PER_CALL; epoch++) {
        for (let i = 0; i < X_DATA.length; i++) {
          const [next, g] = stepFn(w, xs[i].ref, ys[i].ref);
          g.dataSync();
          w = next;
        }
      }
    },
    probe: () => [w.ref.dataSync()[0]],
    dispose() {
      w.dispose();
      for (const a of [...xs, ...ys]) a.dispose();
      dispose();
    },
  };
}

export const lessonRow: Row = {
  id: "lesson",
  label: "lesson loop (seed program's step)",
  unit: "µs/step",
  workPerCall: EPOCHS_PER_CALL * X_DATA.length,
  rtol: 1e-5,
  inputs: () => ({}),
  torch: { kind: "lesson", x: X_DATA, y: Y_DATA, w0: W_START, lr: LEARNING_RATE, epochs: EPOCHS_PER_CALL },
  reference: () => [referenceWeight(EPOCHS_PER_CALL)],
  make(lib) {
    if (lib === "tfjs") return tfjsLesson();
    if (lib === "jax-eager" || lib === "jax-jit") return jaxLesson(lib === "jax-jit");
    const lesson = wasmgradLesson();
    return { step: () => void lesson.train(EPOCHS_PER_CALL), probe: () => [lesson.weight()], dispose: () => lesson.w.dispose() };
  },
};
