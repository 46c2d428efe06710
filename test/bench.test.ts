// The comparison benchmark keeps computing the right thing: every row's wasmgrad case runs one tiny
// round and must match the row's float64 reference (and a wrong result must be caught); the PyTorch
// twin must agree on cheap rows; the script runs end to end. Speed is judged by people reading the
// full run, never by a test.
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ROWS, selectRows } from "../bench/rows/index.js";
import { disagreement, probeTwice } from "../bench/lib/agree.js";
import { runFor } from "../bench/lib/timing.js";
import { TorchChild, torchAvailable } from "../bench/lib/peers/torch.js";
import type { Case, Row } from "../bench/lib/types.js";

const root = new URL("..", import.meta.url).pathname;

async function checkWasmgrad(row: Row, sabotage = false): Promise<string | null> {
  const inputs = row.inputs();
  const c: Case = await row.make("wasmgrad", inputs);
  const wrapped: Case = sabotage ? { ...c, probe: async () => (await c.probe()).map((v, i) => (i === 0 ? v * (1 + 1e-2) + 1e-2 : v)) } : c;
  try {
    const { probes } = await probeTwice(wrapped, Infinity);
    const t = await runFor(wrapped, 0); // one timed call, as a round does
    expect(t.wall).toBeGreaterThan(0);
    expect(probes[1]!.every(Number.isFinite)).toBe(true);
    return disagreement(probes, null, row.reference?.(inputs), row.rtol);
  } finally {
    c.dispose();
  }
}

test("the table has the rows it promises", () => {
  expect(ROWS.map((r) => r.id)).toEqual([
    "lesson", "matmul-64", "matmul-128", "matmul-256", "matmul-512", "matmul-1024", "matmul-atb", "matmul-abt",
    "mlp", "convnet", "fma", "fma-auto", "sum", "lesson10",
  ]);
  expect(selectRows(["matmul"]).length).toBe(7);
  expect(() => selectRows(["nope"])).toThrow(/matches no row/);
  for (const r of ROWS) expect(r.reference, r.id).toBeDefined();
});

for (const row of ROWS) {
  test(`${row.id}: wasmgrad matches the float64 reference after one call`, async () => {
    expect(await checkWasmgrad(row)).toBeNull();
  }, 60_000);
}

test("a wrong result is caught", async () => {
  for (const id of ["lesson", "matmul-atb", "mlp"]) {
    expect(await checkWasmgrad(ROWS.find((r) => r.id === id)!, true), id).toMatch(/float64 JS/);
  }
});

const torch = torchAvailable();
test.skipIf(!("version" in torch))("the PyTorch twin computes the same probes", async () => {
  const child = new TorchChild();
  try {
    for (const id of ["lesson", "matmul-abt", "mlp", "sum"]) {
      const row = ROWS.find((r) => r.id === id)!;
      const inputs = row.inputs();
      const key = `${id}/1`;
      await child.request({ cmd: "setup", key, threads: 1, dir: child.writeInputs(id, inputs), ...row.torch });
      const { probes } = (await child.request({ cmd: "check", key, slowMs: 1e9 })) as unknown as { probes: [number[], number[]] };
      const c = await row.make("wasmgrad", inputs);
      const ours = await probeTwice(c, Infinity);
      c.dispose();
      expect(disagreement(probes, { header: "wasmgrad", probes: ours.probes }, row.reference?.(inputs), row.rtol), id).toBeNull();
      await child.request({ cmd: "dispose", key });
    }
  } finally {
    child.close();
  }
}, 60_000);

test("npm run bench -- --quick runs the peers and prints the table", () => {
  const script = `${root}build/bench/table.bench.js`;
  expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
  const out = execFileSync(process.execPath, ["--expose-gc", script, "--quick", "--rounds=1", "--only=lesson,sum"], { encoding: "utf8", cwd: root });
  expect(out).toMatch(/^\| work \| wasmgrad 1t \| wasmgrad all \(\d+t\) \| tfjs-cpu \| tfjs-wasm \| jax-js eager \| jax-js jit \| ratio vs best peer \|$/m);
  expect(out).toMatch(/^\| lesson loop .*\(µs\/step\) \| [0-9.]+ /m);
  expect(out).toMatch(/^\| sum, 1M floats \(GB\/s\) \| [0-9.]+ /m);
  expect(out).not.toMatch(/✗/);
}, 120_000);
