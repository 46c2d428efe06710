// Deterministic inputs: a seeded generator in plain JS, so every peer (and the PyTorch twin, which
// reads the same bytes from files) starts from identical values.

import type { Arr } from "./types.js";

/** mulberry32: small, fast and good enough to fill benchmark tensors. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Uniform in [-scale, scale): the range of PyTorch's default Linear/Conv initialisation when scale = 1/sqrt(fan_in). */
export function uniform(shape: readonly number[], seed: number, scale = 1): Arr {
  const next = generator(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = (2 * next() - 1) * scale;
  return { shape, data };
}

/** Class labels 0..classes-1 stored as float32 (each peer converts them to its index type). */
export function labels(n: number, classes: number, seed: number): Arr {
  const next = generator(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(next() * classes);
  return { shape: [n], data };
}

/** Weights of a Linear(fanIn -> fanOut) or Conv2d layer, PyTorch's layout and init range. */
export function layer(name: string, outShape: readonly number[], fanIn: number, seed: number): Record<string, Arr> {
  const bound = 1 / Math.sqrt(fanIn);
  return { [`${name}.weight`]: uniform(outShape, seed, bound), [`${name}.bias`]: uniform([outShape[0]], seed + 1, bound) };
}
