// toDot(): the graph that produced a tensor as Graphviz DOT, drawn like PyTorch's torchviz
// (output in green, one grey box per backward node, leaves that require grad in blue).

import { W } from "./wasm/load.js";
import { Tensor, h } from "./tensor.js";
import { gradFnName } from "./ops/spec.js";
import { shapeOf } from "./tensor.js";
import { DTypeError, safeString } from "./errors.js";

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
