// graphOf(): the graph behind toDot() as plain objects, which the lesson page draws with values
// and gradients on its nodes.
import { expect, test } from "vitest";
import { tensor, mul, sub, graphOf, toDot, DTypeError } from "wasmgrad";

test("the lesson's loss: output <- Pow <- Sub <- Mul <- AccumulateGrad <- w, with named tensors attached", () => {
  const w = tensor([1.0], { requiresGrad: true });
  const yVal = mul(2, w);
  const diff = sub(yVal, 4);
  const l = diff.pow(2);
  const nodes = graphOf(l, { params: { w }, tensors: { "x*w": yVal, diff } });
  expect(nodes.map((n) => [n.kind, n.name, n.label ?? null])).toEqual([
    ["output", "", null],
    ["op", "PowBackward0", null],
    ["op", "SubBackward0", "diff"],
    ["op", "MulBackward0", "x*w"],
    ["accumulate", "AccumulateGrad", null],
    ["leaf", "w", "w"],
  ]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // each node's inputs lead down the chain to w
  let n = nodes[0];
  const chain = [n.kind];
  while (n.inputs.length) {
    expect(n.inputs).toHaveLength(1);
    n = byId.get(n.inputs[0])!;
    chain.push(n.kind);
  }
  expect(chain).toEqual(["output", "op", "op", "op", "accumulate", "leaf"]);
  expect(nodes[0].tensor).toBe(l);
  expect(nodes[2].tensor).toBe(diff);
  expect(nodes[5].tensor).toBe(w);
  expect(nodes[5].shape).toEqual([1]);
  // after backward, retained gradients are what flowed into each node
  diff.retainGrad();
  l.backward();
  expect(nodes[2].tensor!.grad!.item()).toBe(-4); // 2 * (2 - 4)
  expect(w.grad!.item()).toBe(-8);
});

test("a leaf used twice gets one AccumulateGrad, with an input per use; toDot is unchanged", () => {
  const x = tensor([[1, 2]], { requiresGrad: true });
  const y = x.mul(x).sum();
  const nodes = graphOf(y);
  expect(nodes.filter((n) => n.kind === "accumulate")).toHaveLength(1);
  const mulNode = nodes.find((n) => n.name === "MulBackward0")!;
  expect(mulNode.inputs).toHaveLength(2);
  expect(mulNode.inputs[0]).toBe(mulNode.inputs[1]);
  expect(toDot(y)).not.toContain("AccumulateGrad");
});

test("a tensor without history is a single output node; misuse throws typed errors", () => {
  const t = tensor([1, 2]);
  expect(graphOf(t)).toEqual([{ id: "root", kind: "output", name: "", inputs: [], shape: [2], tensor: t }]);
  expect(() => graphOf({} as never)).toThrow(/^graphOf: expected a Tensor/);
  expect(() => graphOf(t, { tensors: [t] as never })).toThrow(DTypeError);
  expect(() => graphOf(t, { tensors: [t] as never })).toThrow(/^graphOf: tensors must be an object of named tensors/);
  expect(() => graphOf(t, 5 as never)).toThrow(/^graphOf: options must be an object/);
});
