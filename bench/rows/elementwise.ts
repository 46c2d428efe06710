// Memory-bound work on 1M float32 elements: a*b+c (3 reads + 1 write = 16 bytes per element) and
// sum (4 bytes per element). In the a*b+c row every peer frees its temporary and result as its
// users do (dispose, tidy, jax-js ownership); the "no dispose" row is wasmgrad alone, written with
// no dispose at all: the temporaries and results are released automatically, and the WASM memory
// printed before and after the row must stay flat.

import { memory, type Tensor } from "wasmgrad";
import { Unsupported } from "../lib/types.js";
import { numpy as np } from "@jax-js/jax";
import * as wgp from "../lib/peers/wasmgrad.js";
import * as tfp from "../lib/peers/tfjs.js";
import * as jxp from "../lib/peers/jax.js";
import { uniform } from "../lib/data.js";
import type { Case, Inputs, JsLibrary, Row } from "../lib/types.js";

const N = 1 << 20;
const PROBES = [0, 1, N >> 1, N - 1];

function fmaCase(lib: JsLibrary, inp: Inputs, auto: boolean): Case {
  if (auto && lib !== "wasmgrad") throw new Unsupported("frees tensors only on dispose/tidy or by ownership (no automatic release)");
  if (lib === "wasmgrad") {
    const [a, b, c] = ["a", "b", "c"].map((k) => wgp.fromArr(inp[k]));
    let out: Tensor = a.mul(b).add(c);
    return {
      step() {
        if (auto) {
          out = a.mul(b).add(c);
          return;
        }
        out.dispose();
        const ab = a.mul(b);
        out = ab.add(c);
        ab.dispose();
      },
      probe: () => wgp.readAt(out, PROBES),
      dispose: () => [a, b, c].forEach((t) => t.dispose()),
    };
  }
  if (lib === "tfjs") {
    const { tf } = tfp;
    const [a, b, c] = ["a", "b", "c"].map((k) => tfp.fromArr(inp[k]));
    let out = tf.tidy(() => a.mul(b).add(c));
    return {
      step() {
        out.dispose();
        out = tf.tidy(() => a.mul(b).add(c));
      },
      probe: () => PROBES.map((i) => out.dataSync()[i]),
      dispose: () => [a, b, c, out].forEach((t) => t.dispose()),
    };
  }
  const [a, b, c] = ["a", "b", "c"].map((k) => jxp.fromArr(inp[k]));
  const f = (a: np.Array, b: np.Array, c: np.Array): np.Array => a.mul(b).add(c);
  const { fn, dispose } = jxp.maybeJit(f, lib === "jax-jit");
  let out: np.Array | null = null;
  return {
    async step() {
      out?.dispose();
      out = fn(a.ref, b.ref, c.ref);
      await jxp.settle(out);
    },
    probe: () => jxp.readAt(out!.ref, PROBES),
    dispose() {
      out?.dispose();
      [a, b, c].forEach((t) => t.dispose());
      dispose();
    },
  };
}

function sumCase(lib: JsLibrary, inp: Inputs): Case {
  let total = NaN;
  if (lib === "wasmgrad") {
    const a = wgp.fromArr(inp.a);
    return { step: () => void (total = a.sum().item()), probe: () => [total], dispose: () => a.dispose() };
  }
  if (lib === "tfjs") {
    const a = tfp.fromArr(inp.a);
    return {
      step() {
        const s = a.sum();
        total = s.dataSync()[0];
        s.dispose();
      },
      probe: () => [total],
      dispose: () => a.dispose(),
    };
  }
  const a = jxp.fromArr(inp.a);
  const f = (a: np.Array): np.Array => np.sum(a);
  const { fn, dispose } = jxp.maybeJit(f, lib === "jax-jit");
  return {
    step: () => void (total = fn(a.ref).dataSync()[0]),
    probe: () => [total],
    dispose() {
      a.dispose();
      dispose();
    },
  };
}

const mib = (bytes: number): string => `${(bytes / (1 << 20)).toFixed(1)} MiB`;

const fmaRow = (auto: boolean): Row => ({
  id: auto ? "fma-auto" : "fma",
  label: auto ? "a*b+c, 1M floats, no dispose" : "a*b+c, 1M floats",
  unit: "GB/s",
  workPerCall: 16 * N,
  rtol: 1e-6,
  inputs: () => ({ a: uniform([N], 21), b: uniform([N], 22), c: uniform([N], 23) }),
  reference: (inp) => PROBES.map((i) => Math.fround(inp.a.data[i] * inp.b.data[i]) + inp.c.data[i]),
  make: (lib, inp) => fmaCase(lib, inp, auto),
  torch: { kind: "fma", probes: PROBES }, // torch frees by reference counting: no dispose either way
  watch: () => ({ bytes: memory().wasmBytes, text: `wasmgrad WASM memory ${mib(memory().wasmBytes)} (core heap in use ${mib(memory().heapBytes)})` }),
});

export const fmaRows: readonly Row[] = [fmaRow(false), fmaRow(true)];

export const sumRow: Row = {
  id: "sum",
  label: "sum, 1M floats",
  unit: "GB/s",
  workPerCall: 4 * N,
  rtol: 1e-4,
  inputs: () => ({ a: uniform([N], 24) }),
  reference: (inp) => [inp.a.data.reduce((s, v) => s + v, 0)],
  make: sumCase,
  torch: { kind: "sum" },
};
