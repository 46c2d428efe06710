// jax-js builds a NetSpec as a JAX user would: a pure loss function of a parameter tree,
// valueAndGrad, and the SGD (with momentum) update as tree maps; with jit, the whole step is one
// compiled function. The max pool is lax.reduceWindow with np.max over 2x2 windows.

import { lax, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { fromArr, intLabels, maybeJit, settle } from "../peers/jax.js";
import { paramNames, type NetSpec } from "./spec.js";
import type { Case, Inputs } from "../types.js";

type Params = Record<string, np.Array>;

export function jaxNet(spec: NetSpec, inp: Inputs, useJit: boolean): Case {
  const x = fromArr(inp.x);
  const y = nn.oneHot(intLabels(inp.y), spec.classes).astype(np.float32);
  let p: Params = Object.fromEntries(paramNames(spec).map((n) => [n, fromArr(inp[n])]));
  let vel: Params = Object.fromEntries(paramNames(spec).map((n) => [n, np.zerosLike(p[n].ref)]));

  const lossFn = (p: Params, x: np.Array, y: np.Array): np.Array => {
    let a = x;
    for (const l of spec.layers) {
      if (l.kind === "linear") {
        a = lax.dot(a, p[`${l.name}.weight`], { lhsContractingDims: [1], rhsContractingDims: [1] }).add(p[`${l.name}.bias`]);
      } else if (l.kind === "conv") {
        const pad = l.pad === 0 ? "VALID" : ([[l.pad, l.pad], [l.pad, l.pad]] as [number, number][]);
        a = lax.conv(a, p[`${l.name}.weight`], [1, 1], pad).add(p[`${l.name}.bias`].reshape([l.out, 1, 1]));
      } else if (l.kind === "relu") a = nn.relu(a);
      else if (l.kind === "pool") a = lax.reduceWindow(a, (w) => np.max(w), [2, 2], [2, 2]);
      else a = a.reshape([spec.batch, -1]);
    }
    return nn.logSoftmax(a, -1).mul(y).sum().mul(-1 / spec.batch);
  };
  const grads = valueAndGrad(lossFn);
  // torch's SGD: v = momentum * v + g; p = p - lr * v (with momentum 0, v is just g).
  const update = (p: Params, v: Params, x: np.Array, y: np.Array): [np.Array, Params, Params] => {
    const [l, g] = grads(tree.ref(p), x, y);
    const v2: Params = spec.momentum ? tree.map((vi: np.Array, gi: np.Array) => vi.mul(spec.momentum).add(gi), v, g) : (tree.dispose(v), g);
    const p2: Params = tree.map((pi: np.Array, vi: np.Array) => pi.sub(vi.ref.mul(spec.lr)), p, v2);
    return [l, p2, v2];
  };
  const { fn: stepFn, dispose } = maybeJit(update, useJit);
  let loss = NaN;
  return {
    async step() {
      const [l, p2, v2] = stepFn(p, vel, x.ref, y.ref);
      p = p2;
      vel = v2;
      await settle(l, ...tree.leaves(p));
      loss = l.dataSync()[0];
    },
    probe: () => [loss],
    dispose() {
      tree.dispose(p);
      tree.dispose(vel);
      x.dispose();
      y.dispose();
      dispose();
    },
  };
}
