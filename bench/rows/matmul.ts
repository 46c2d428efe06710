// Float32 matrix products: square n x n, and the two backward products of an MLP layer
// 784 -> 256 at batch 128 (y = x W^T): the weight gradient x^T g (A^T·B) and the input gradient
// g W (written A·B^T with W stored as W^T [784, 256], as kernels.bench measures it). Transposed
// operands are passed as views or flags, never copied by the caller. One call = one product.

import { lax, numpy as np } from "@jax-js/jax";
import * as wgp from "../lib/peers/wasmgrad.js";
import * as tfp from "../lib/peers/tfjs.js";
import * as jxp from "../lib/peers/jax.js";
import { uniform } from "../lib/data.js";
import type { Arr, Case, Inputs, JsLibrary, Row } from "../lib/types.js";

/** C = op(A) op(B): "nn" plain, "tn" A transposed, "nt" B transposed. */
type Layout = "nn" | "tn" | "nt";

interface Shape {
  readonly m: number; // rows of C
  readonly n: number; // columns of C
  readonly k: number; // inner dimension
}

const dims = (s: Shape, layout: Layout): { a: number[]; b: number[] } => ({
  a: layout === "tn" ? [s.k, s.m] : [s.m, s.k],
  b: layout === "nt" ? [s.n, s.k] : [s.k, s.n],
});

/** Flat indices of C read by the probes: corners, and one off the diagonal (a transposed result differs there). */
const probeIndices = (s: Shape): number[] => [0, 1, s.n, (s.m >> 1) * s.n + (s.n >> 2), s.m * s.n - 1];

function reference(s: Shape, layout: Layout, A: Arr, B: Arr): number[] {
  const a = (i: number, p: number): number => (layout === "tn" ? A.data[p * s.m + i] : A.data[i * s.k + p]);
  const b = (p: number, j: number): number => (layout === "nt" ? B.data[j * s.k + p] : B.data[p * s.n + j]);
  return probeIndices(s).map((flat) => {
    const i = Math.floor(flat / s.n), j = flat % s.n;
    let acc = 0;
    for (let p = 0; p < s.k; p++) acc += a(i, p) * b(p, j);
    return acc;
  });
}

function make(lib: JsLibrary, s: Shape, layout: Layout, inp: Inputs): Case {
  const idx = probeIndices(s);
  if (lib === "wasmgrad") {
    const a = wgp.fromArr(inp.A), b = wgp.fromArr(inp.B);
    const opA = layout === "tn" ? a.t() : a, opB = layout === "nt" ? b.t() : b;
    let c = opA.matmul(opB);
    return {
      step() {
        c.dispose();
        c = opA.matmul(opB);
      },
      probe: () => wgp.readAt(c, idx),
      dispose: () => [a, b, c].forEach((t) => t.dispose()),
    };
  }
  if (lib === "tfjs") {
    const { tf } = tfp;
    const a = tfp.fromArr(inp.A), b = tfp.fromArr(inp.B);
    let c = tf.matMul(a, b, layout === "tn", layout === "nt");
    return {
      step() {
        c.dispose();
        c = tf.matMul(a, b, layout === "tn", layout === "nt");
      },
      probe: () => idx.map((i) => c.dataSync()[i]),
      dispose: () => [a, b, c].forEach((t) => t.dispose()),
    };
  }
  // jax-js: lax.dot with the contracting dimensions says which operand is transposed.
  const a = jxp.fromArr(inp.A), b = jxp.fromArr(inp.B);
  const contract = { nn: [1, 0], tn: [0, 0], nt: [1, 1] }[layout];
  const product = (x: np.Array, y: np.Array): np.Array => lax.dot(x, y, { lhsContractingDims: [contract[0]], rhsContractingDims: [contract[1]] });
  const { fn, dispose } = jxp.maybeJit(product, lib === "jax-jit");
  let c: np.Array | null = null;
  return {
    async step() {
      c?.dispose();
      c = fn(a.ref, b.ref);
      await jxp.settle(c);
    },
    probe: () => jxp.readAt(c!.ref, idx),
    dispose() {
      c?.dispose();
      a.dispose();
      b.dispose();
      dispose();
    },
  };
}

function matmulRow(id: string, label: string, s: Shape, layout: Layout): Row {
  const d = dims(s, layout);
  return {
    id,
    label,
    unit: "GFLOP/s",
    workPerCall: 2 * s.m * s.n * s.k,
    rtol: 1e-4,
    torch: { kind: "matmul", layout, probes: probeIndices(s) },
    inputs: () => ({ A: uniform(d.a, 11), B: uniform(d.b, 12) }),
    reference: (inp) => reference(s, layout, inp.A, inp.B),
    make: (lib, inp) => make(lib, s, layout, inp),
  };
}

export const matmulRows: readonly Row[] = [
  ...[64, 128, 256, 512, 1024].map((n) => matmulRow(`matmul-${n}`, `matmul ${n}x${n}·${n}x${n}`, { m: n, n, k: n }, "nn")),
  matmulRow("matmul-atb", "matmul A^T·B [128x784]^T·[128x256]", { m: 784, n: 256, k: 128 }, "tn"),
  matmulRow("matmul-abt", "matmul A·B^T [128x256]·[784x256]^T", { m: 128, n: 784, k: 256 }, "nt"),
];
