// A small network described once and built by every peer: the MLP and the two CNN rows are specs.
// One call = one training step: forward, cross-entropy, backward, SGD update, and reading the loss.

import { labels, layer, uniform } from "../data.js";
import * as ref from "../reference.js";
import type { Inputs } from "../types.js";

export type Layer =
  | { readonly kind: "linear"; readonly name: string; readonly out: number }
  | { readonly kind: "conv"; readonly name: string; readonly out: number; readonly k: number; readonly pad: number }
  | { readonly kind: "relu" }
  | { readonly kind: "pool" }
  | { readonly kind: "flatten" };

export interface NetSpec {
  readonly batch: number;
  /** Shape of one sample: [features] or [channels, height, width]. */
  readonly sample: readonly number[];
  readonly classes: number;
  readonly layers: readonly Layer[];
  readonly lr: number;
  readonly momentum: number;
}

/** The shape of one sample entering each layer, and after the last one. */
export function sampleShapes(spec: NetSpec): number[][] {
  const shapes: number[][] = [[...spec.sample]];
  for (const l of spec.layers) {
    const s = shapes[shapes.length - 1];
    if (l.kind === "linear") shapes.push([l.out]);
    else if (l.kind === "conv") shapes.push([l.out, s[1] + 2 * l.pad - l.k + 1, s[2] + 2 * l.pad - l.k + 1]);
    else if (l.kind === "pool") shapes.push([s[0], s[1] >> 1, s[2] >> 1]);
    else if (l.kind === "flatten") shapes.push([s.reduce((a, b) => a * b, 1)]);
    else shapes.push(s);
  }
  return shapes;
}

/** Names of the parameters in layer order (weight then bias), as PyTorch's state dict. */
export function paramNames(spec: NetSpec): string[] {
  return spec.layers.flatMap((l) => (l.kind === "linear" || l.kind === "conv" ? [`${l.name}.weight`, `${l.name}.bias`] : []));
}

export function netInputs(spec: NetSpec): Inputs {
  const shapes = sampleShapes(spec);
  const out: Record<string, ReturnType<typeof uniform>> = {
    x: uniform([spec.batch, ...spec.sample], 1),
    y: labels(spec.batch, spec.classes, 2),
  };
  spec.layers.forEach((l, i) => {
    const cin = shapes[i][0];
    if (l.kind === "linear") Object.assign(out, layer(l.name, [l.out, cin], cin, 10 + 2 * i));
    if (l.kind === "conv") Object.assign(out, layer(l.name, [l.out, cin, l.k, l.k], cin * l.k * l.k, 10 + 2 * i));
  });
  return out;
}

/** The first step's loss in float64 plain JS. */
export function netReference(spec: NetSpec, inp: Inputs): number[] {
  let a = ref.act(inp.x);
  for (const l of spec.layers) {
    if (l.kind === "linear") a = ref.linear(a, inp[`${l.name}.weight`], inp[`${l.name}.bias`]);
    else if (l.kind === "conv") a = ref.conv2d(a, inp[`${l.name}.weight`], inp[`${l.name}.bias`], l.pad);
    else if (l.kind === "relu") a = ref.relu(a);
    else if (l.kind === "pool") a = ref.maxPool2(a);
    else a = { shape: [a.shape[0], a.data.length / a.shape[0]], data: a.data };
  }
  return [ref.crossEntropy(a, inp.y)];
}

/** Multiply-adds of one forward pass per sample, times 3 for forward + backward (for the footnote). */
export function stepFlops(spec: NetSpec): number {
  const shapes = sampleShapes(spec);
  let macs = 0;
  spec.layers.forEach((l, i) => {
    const s = shapes[i + 1];
    if (l.kind === "linear") macs += shapes[i][0] * l.out;
    if (l.kind === "conv") macs += s[0] * s[1] * s[2] * shapes[i][0] * l.k * l.k;
  });
  return 3 * 2 * macs * spec.batch;
}
