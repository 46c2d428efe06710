// toDot(): the graph of a tensor as Graphviz DOT, and the demo's --graph option.
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tensor, mul, sub, toDot } from "wasmgrad";

const root = new URL("..", import.meta.url).pathname;

/** Node labels by id, and edges as "from -> to" with labels in place of ids. */
function parse(dot: string): { labels: string[]; edges: string[] } {
  const label = new Map<string, string>();
  for (const m of dot.matchAll(/^\t(\w+) \[label="([^"]*)"/gm)) label.set(m[1], m[2]);
  const edges = [...dot.matchAll(/^\t(\w+) -> (\w+)$/gm)].map((m) => `${label.get(m[1])} -> ${label.get(m[2])}`);
  return { labels: [...label.values()], edges };
}

test("the lesson's loss: leaf w -> Mul -> Sub -> Pow -> output", () => {
  const w = tensor([1.0], { requiresGrad: true });
  const l = sub(mul(2, w), 4).pow(2);
  const dot = toDot(l, { params: { w } });
  expect(dot.startsWith("digraph {\n")).toBe(true);
  expect(dot.endsWith("}\n")).toBe(true);
  expect(parse(dot).edges.sort()).toEqual([
    "MulBackward0 -> SubBackward0",
    "PowBackward0 -> (1)",
    "SubBackward0 -> PowBackward0",
    "w\\n(1) -> MulBackward0",
  ]);
});

test("shared inputs appear once, with one edge per use", () => {
  const x = tensor([[1, 2]], { requiresGrad: true });
  const y = x.mul(x).add(x).sum();
  const { labels, edges } = parse(toDot(y));
  expect(labels.filter((l) => l === "(1, 2)")).toHaveLength(1);
  expect(edges.filter((e) => e.startsWith("(1, 2) ->")).sort()).toEqual(["(1, 2) -> AddBackward0", "(1, 2) -> MulBackward0", "(1, 2) -> MulBackward0"]);
  expect(edges).toContain("SumBackward0 -> ()");
});

test("a tensor without history is just its box", () => {
  expect(parse(toDot(tensor([1, 2]))).labels).toEqual(["(2)"]);
});

test("the demo writes the graph with --graph and prints the same text", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-graph-"));
  try {
    const file = join(dir, "graph.dot");
    const out = execFileSync(process.execPath, [`${root}build/examples/linear-regression.js`, "--graph", file], { encoding: "utf8" });
    expect(out).toBe(readFileSync(`${root}test/fixtures/lesson.stdout.txt`, "utf8"));
    expect(parse(readFileSync(file, "utf8")).edges).toContain("w\\n(1) -> MulBackward0");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
