// The lesson's computation graph as DOT, drawn by Graphviz (compiled to WASM, @viz-js/viz) into
// SVG. The structure comes from the library's graphOf(); the page adds the two numbers the ops
// took (x and y are plain numbers, so the graph holds them only as values saved by the ops).

import { graphOf, formatPy, type Tensor, type GraphNode } from "wasmgrad";
import { instance, type Viz } from "@viz-js/viz";

let viz: Viz | undefined;

export async function loadGraphviz(): Promise<void> {
  viz ??= await instance();
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** A value or gradient for a label: Python's format for one element, the shape otherwise. */
function show(t: Tensor | null | undefined): string {
  if (!t) return "None";
  return t.numel() === 1 ? formatPy(t.item()) : `tensor of shape (${t.shape.join(", ")})`;
}

export interface StepValues {
  /** The sample's input and target (numbers, as in the program). */
  x: number;
  y: number;
  /** The loss and the intermediate tensors of its forward pass, with retainGrad() called before backward. */
  l: Tensor;
  yVal: Tensor;
  diff: Tensor;
  /** The parameter as it was in the forward pass, and its gradient after backward (before zero_()). */
  w: Tensor;
  wValue: number;
  wGrad: number;
}

const COLORS = { output: "darkolivegreen1", op: "lightgrey", accumulate: "lightgrey", leaf: "lightblue" } as const;

function nodeLabel(n: GraphNode, v: StepValues): string {
  switch (n.kind) {
    case "output": return `l = ${show(v.l)}`;
    case "leaf": return `${n.name || "leaf"} = ${formatPy(v.wValue)}\nshape (${(n.shape ?? []).join(", ")})`;
    case "accumulate": return `AccumulateGrad\nw.grad += ${formatPy(v.wGrad)}`;
    default:
      return n.tensor ? `${n.name}\n${n.label} = ${show(n.tensor)}\ngrad = ${show(n.tensor.grad)}` : n.name;
  }
}

/** DOT of the loss's graph with the forward value and the backward gradient on every node. */
export function lessonDot(v: StepValues): string {
  const nodes = graphOf(v.l, { params: { w: v.w }, tensors: { "x*w": v.yVal, "x*w - y": v.diff, "(x*w - y)**2": v.l } });
  const lines = [
    "digraph {",
    '\tgraph [bgcolor=transparent nodesep=0.35 ranksep=0.32]',
    "\tnode [shape=box style=\"filled,rounded\" fontname=\"Courier\" fontsize=11 margin=\"0.12,0.06\"]",
    "\tedge [arrowsize=0.7 color=\"#6b7785\" fontname=\"Courier\" fontsize=10]",
  ];
  for (const n of nodes) {
    lines.push(`\t${n.id} [label=${quote(nodeLabel(n, v))} fillcolor=${COLORS[n.kind]}]`);
    for (const from of n.inputs) lines.push(`\t${from} -> ${n.id}`);
  }
  // the numbers the ops took: x by MulBackward0 (x*w), y by SubBackward0 (x*w - y)
  const byLabel = new Map(nodes.map((n) => [n.label, n.id]));
  const consts: [string, number, string | undefined][] = [["x", v.x, byLabel.get("x*w")], ["y", v.y, byLabel.get("x*w - y")]];
  for (const [name, value, to] of consts) {
    if (!to) continue;
    lines.push(`\tc_${name} [label=${quote(`${name} = ${formatPy(value)}`)} shape=ellipse style=filled fillcolor=white]`);
    lines.push(`\tc_${name} -> ${to} [style=dashed]`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** Renders DOT into the container (replacing what was there). */
export function draw(container: HTMLElement, dot: string): SVGSVGElement {
  if (!viz) throw new Error("Graphviz is not loaded yet: await loadGraphviz() first");
  const svg = viz.renderSVGElement(dot);
  container.replaceChildren(svg);
  return svg;
}
