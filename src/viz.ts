// toDot(): the graph that produced a tensor as Graphviz DOT, drawn like PyTorch's torchviz
// (output in green, one grey box per backward node, leaves that require grad in blue).
// graphOf(): the same graph as plain objects, for pages and tools that draw it their own way
// (with values and gradients on the nodes, say).

import { W } from "./wasm/load.js";
import { Tensor, h } from "./tensor.js";
import { gradFnName } from "./ops/spec.js";
import { shapeOf } from "./tensor.js";
import { DTypeError, safeString } from "./errors.js";

/** Options of `toDot()`. */
export interface DotOptions {
  /** Names for leaf tensors, e.g. `{ w }`: shown in their boxes (as torchviz's `params`). */
  params?: Record<string, Tensor>;
}

function sizeLabel(dims: number[]): string {
  return `(${dims.join(", ")})`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * Graphviz DOT of the graph that produced `t`: a node per recorded op (named as PyTorch's
 * grad_fn), edges from each input to the op that used it, leaves marked with their shape.
 * Example: `writeFileSync("graph.dot", toDot(loss, { params: { w } }))`, then `dot -Tpng`.
 */
export function toDot(t: Tensor, opts: DotOptions = {}): string {
  const root = h(t, "toDot");
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new DTypeError(`toDot: options must be an object like { params: { w } }, got ${safeString(opts)}`);
  }
  const params: unknown = opts.params ?? {};
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new DTypeError(`toDot: params must be an object of named tensors like { w }, got ${safeString(params)}`);
  }
  const names = new Map<number, string>();
  for (const [name, p] of Object.entries(params as Record<string, Tensor>)) names.set(h(p, "toDot"), name);

  const lines = [
    "digraph {",
    '\tgraph [size="12,12"]',
    "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]",
    `\troot [label=${quote(sizeLabel(t._shape))} fillcolor=darkolivegreen1]`,
  ];
  const rootNode = W.nodeOf(root);
  if (rootNode === 0) {
    lines.push("}");
    return lines.join("\n") + "\n";
  }
  const seen = new Set<number>([rootNode]);
  const queue = [rootNode];
  lines.push(`\tn${rootNode} -> root`);
  const leafDone = new Set<number>();
  while (queue.length) {
    const node = queue.shift()!;
    lines.push(`\tn${node} [label=${quote(gradFnName(W.nodeOp(node)))} fillcolor=lightgrey]`);
    const nIn = W.nodeInputs(node);
    for (let i = 0; i < nIn; i++) {
      const next = W.nodeNext(node, i);
      if (next === 0) continue;
      if (next & 1) {
        const leaf = next >>> 1;
        if (!leafDone.has(leaf)) {
          leafDone.add(leaf);
          const dims = shapeOf(leaf);
          const name = names.get(leaf);
          const label = name === undefined ? sizeLabel(dims) : `${name}\n${sizeLabel(dims)}`;
          lines.push(`\tt${leaf} [label=${quote(label)} fillcolor=lightblue]`);
        }
        lines.push(`\tt${leaf} -> n${node}`);
      } else {
        lines.push(`\tn${next} -> n${node}`);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** Options of `graphOf()`: those of `toDot()` and what to record of each node. */
export interface GraphOptions extends DotOptions {
  /**
   * Named tensors produced by ops of the graph, e.g. `{ "x*w": yVal }`: the node that produced each
   * one carries it (its value is the node's output; after `retainGrad()` and `backward()` its
   * `grad` is the gradient that flowed into the node).
   */
  tensors?: Record<string, Tensor>;
}

/** One node of the graph `graphOf()` returns: a tensor or the op (grad_fn) that produced one. */
export interface GraphNode {
  /** Unique in one graph: "root", "n<k>" for an op, "a<k>" for an AccumulateGrad, "t<k>" for a leaf. */
  id: string;
  /**
   * "output": the tensor given; "op": a recorded op (PyTorch's grad_fn); "accumulate": the
   * AccumulateGrad that adds a leaf's gradient into its `.grad`; "leaf": a tensor that requires grad.
   */
  kind: "output" | "op" | "accumulate" | "leaf";
  /** grad_fn name ("MulBackward0", "AccumulateGrad"), the leaf's name in `params`, or "" if it has none. */
  name: string;
  /** Ids of the nodes this one takes its inputs from (one entry per use, in input order). */
  inputs: string[];
  /** Shape of the node's tensor, when it is known (outputs, leaves, named tensors). */
  shape?: number[];
  /** The tensor whose value this node holds: the output, a leaf named in `params`, or a tensor named in `tensors`. */
  tensor?: Tensor;
  /** Its key in `params` or `tensors`. */
  label?: string;
}

function namedHandles(record: unknown, what: string, example: string): Map<number, [string, Tensor]> {
  if (record === undefined) return new Map();
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    throw new DTypeError(`graphOf: ${what} must be an object of named tensors like ${example}, got ${safeString(record)}`);
  }
  const out = new Map<number, [string, Tensor]>();
  for (const [name, p] of Object.entries(record as Record<string, Tensor>)) out.set(h(p, "graphOf"), [name, p]);
  return out;
}

/**
 * The graph that produced `t`, as PyTorch's autograd holds it, in breadth-first order from the
 * output: `[output, its grad_fn, ...]`, with torchviz's AccumulateGrad node before each leaf.
 * Example: `graphOf(l, { params: { w }, tensors: { "x*w": yVal } })` for the lesson's loss gives
 * output <- PowBackward0 <- SubBackward0 <- MulBackward0 <- AccumulateGrad <- w.
 */
export function graphOf(t: Tensor, opts: GraphOptions = {}): GraphNode[] {
  const rootH = h(t, "graphOf");
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new DTypeError(`graphOf: options must be an object like { params: { w }, tensors: { y } }, got ${safeString(opts)}`);
  }
  const params = namedHandles(opts.params, "params", "{ w }");
  const byNode = new Map<number, [string, Tensor]>();
  for (const [th, named] of namedHandles(opts.tensors, "tensors", "{ y }")) {
    const node = W.nodeOf(th);
    if (node !== 0) byNode.set(node, named);
  }
  const root: GraphNode = { id: "root", kind: "output", name: "", inputs: [], shape: t.shape.slice(), tensor: t };
  const nodes: GraphNode[] = [root];
  const rootNode = W.nodeOf(rootH);
  if (rootNode === 0) {
    const named = params.get(rootH);
    if (named) [root.name, root.label] = [named[0], named[0]];
    return nodes;
  }
  root.inputs.push(`n${rootNode}`);
  const queue = [rootNode];
  const seen = new Set<number>(queue);
  const leaves = new Set<number>();
  while (queue.length) {
    const node = queue.shift()!;
    const op: GraphNode = { id: `n${node}`, kind: "op", name: gradFnName(W.nodeOp(node)), inputs: [] };
    const named = byNode.get(node);
    if (named) Object.assign(op, { label: named[0], tensor: named[1], shape: named[1].shape.slice() });
    nodes.push(op);
    const nIn = W.nodeInputs(node);
    for (let i = 0; i < nIn; i++) {
      const next = W.nodeNext(node, i);
      if (next === 0) continue;
      if (next & 1) {
        const leaf = next >>> 1;
        op.inputs.push(`a${leaf}`);
        if (leaves.has(leaf)) continue;
        leaves.add(leaf);
        const p = params.get(leaf);
        nodes.push({ id: `a${leaf}`, kind: "accumulate", name: "AccumulateGrad", inputs: [`t${leaf}`] });
        const leafNode: GraphNode = { id: `t${leaf}`, kind: "leaf", name: p ? p[0] : "", inputs: [], shape: shapeOf(leaf) };
        if (p) Object.assign(leafNode, { label: p[0], tensor: p[1] });
        nodes.push(leafNode);
      } else {
        op.inputs.push(`n${next}`);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return nodes;
}
