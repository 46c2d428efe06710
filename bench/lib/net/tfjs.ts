// TensorFlow.js builds a NetSpec in its own layout: activations NHWC (its cpu backend has no NCHW
// convolution), so the input and conv weights are transposed once at setup (OIHW -> HWIO), and the
// first linear layer after a flatten gets its columns permuted from (C, H, W) to (H, W, C) order:
// the same function, with no per-step cost. The step is optimizer.minimize.

import { tf, fromArr, intLabels } from "../peers/tfjs.js";
import { paramNames, sampleShapes, type NetSpec } from "./spec.js";
import type { Arr, Case, Inputs } from "../types.js";

/** W [O, C*H*W] in (c, h, w) column order -> W^T with rows in (h, w, c) order. */
function permuteColumns(w: Arr, [c, h, wd]: readonly number[]): tf.Tensor {
  return tf.tidy(() => fromArr(w).reshape([w.shape[0], c, h, wd]).transpose([0, 2, 3, 1]).reshape([w.shape[0], c * h * wd]).transpose());
}

export function tfjsNet(spec: NetSpec, inp: Inputs): Case {
  const shapes = sampleShapes(spec);
  const image = spec.sample.length === 3;
  const x = tf.tidy(() => (image ? fromArr(inp.x).transpose([0, 2, 3, 1]) : fromArr(inp.x)));
  const y = tf.tidy(() => tf.oneHot(intLabels(inp.y), spec.classes).toFloat());
  const v: Record<string, tf.Variable> = {};
  spec.layers.forEach((l, i) => {
    if (l.kind !== "linear" && l.kind !== "conv") return;
    const w = inp[`${l.name}.weight`];
    const init = l.kind === "conv" ? tf.tidy(() => fromArr(w).transpose([2, 3, 1, 0]))
      : spec.layers[i - 1]?.kind === "flatten" && shapes[i - 1].length === 3 ? permuteColumns(w, shapes[i - 1])
      : tf.tidy(() => fromArr(w).transpose());
    v[`${l.name}.weight`] = tf.variable(init, true);
    v[`${l.name}.bias`] = tf.variable(fromArr(inp[`${l.name}.bias`]), true);
    init.dispose();
  });
  const vars = paramNames(spec).map((n) => v[n]);
  const opt = spec.momentum ? tf.train.momentum(spec.lr, spec.momentum) : tf.train.sgd(spec.lr);
  const lossFn = (): tf.Scalar => {
    let a: tf.Tensor = x;
    for (const l of spec.layers) {
      if (l.kind === "linear") a = tf.add(tf.matMul(a, v[`${l.name}.weight`]), v[`${l.name}.bias`]);
      else if (l.kind === "conv") a = tf.add(tf.conv2d(a as tf.Tensor4D, v[`${l.name}.weight`] as tf.Tensor4D, 1, l.pad === 0 ? "valid" : l.pad), v[`${l.name}.bias`]);
      else if (l.kind === "relu") a = tf.relu(a);
      else if (l.kind === "pool") a = tf.maxPool(a as tf.Tensor4D, 2, 2, "valid");
      else a = a.reshape([spec.batch, -1]);
    }
    return tf.losses.softmaxCrossEntropy(y, a) as tf.Scalar;
  };
  let loss = NaN;
  return {
    step() {
      const l = opt.minimize(lossFn, true, vars)!;
      loss = l.dataSync()[0];
      l.dispose();
    },
    probe: () => [loss],
    dispose() {
      opt.dispose();
      for (const t of [x, y, ...vars]) t.dispose();
    },
  };
}
