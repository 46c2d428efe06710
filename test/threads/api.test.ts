// setNumThreads / getNumThreads, the build the loader picked, and the pool's error path.
import { afterEach, expect, test } from "vitest";
import { availableParallelism } from "node:os";
import { setNumThreads, getNumThreads, randn, matmul, tensor, DTypeError, WasmgradError, OutOfMemoryError } from "wasmgrad";
import { W, coreBuild } from "../../src/wasm/load.js";
import { features, variantFiles } from "../../src/wasm/probe.js";

afterEach(() => setNumThreads(2));

test("the default is the number of cores", () => {
  // nothing in this file has set it before this test
  expect(getNumThreads()).toBe(Math.min(256, availableParallelism()));
});

test("Node loads the best build: relaxed SIMD over a shared memory", () => {
  expect(features()).toEqual({ relaxedSimd: true, threads: true });
  expect(coreBuild()!.file).toBe("release-relaxed-threads.wasm");
  expect(coreBuild()!.memory!.buffer).toBeInstanceOf(SharedArrayBuffer);
});

test("build order: best first, release.wasm always last", () => {
  expect(variantFiles({ relaxedSimd: true, threads: true })).toEqual(
    ["release-relaxed-threads.wasm", "release-threads.wasm", "release-relaxed.wasm", "release.wasm"]);
  expect(variantFiles({ relaxedSimd: false, threads: true })).toEqual(["release-threads.wasm", "release.wasm"]);
  expect(variantFiles({ relaxedSimd: true, threads: false })).toEqual(["release-relaxed.wasm", "release.wasm"]);
  expect(variantFiles({ relaxedSimd: false, threads: false })).toEqual(["release.wasm"]);
});

test("setNumThreads checks its argument", () => {
  expect(() => setNumThreads("2" as unknown as number)).toThrow(DTypeError);
  expect(() => setNumThreads("2" as unknown as number)).toThrow(/^setNumThreads: expected a number of threads, got "2"/);
  for (const n of [0, -1, 1.5, NaN, 257, Infinity]) {
    expect(() => setNumThreads(n)).toThrow(WasmgradError);
    expect(() => setNumThreads(n)).toThrow(/^setNumThreads: the number of threads must be an integer from 1 to 256, got /);
  }
  setNumThreads(3);
  expect(getNumThreads()).toBe(3);
  setNumThreads(1);
  expect(getNumThreads()).toBe(1);
});

test("more threads than cores still give the same product", () => {
  const a = randn([200, 300]), b = randn([300, 170]);
  setNumThreads(1);
  const one = matmul(a, b).toFloat32Array();
  setNumThreads(5);
  expect(matmul(a, b).toFloat32Array()).toEqual(one);
});

test("a trap on a worker is a thrown Error, after which the library works on", async () => {
  setNumThreads(2);
  // let the pool start, so that a worker claims the failing task
  matmul(randn([256, 256]), randn([256, 256]));
  await new Promise((r) => setTimeout(r, 500));
  const a = tensor([[1, 2], [3, 4]]);
  expect(() => (W as unknown as { workerFaultTest(): number }).workerFaultTest()).toThrow(/worker thread/);
  expect(a.toArray()).toEqual([[1, 2], [3, 4]]);
  const x = randn([300, 300]), y = randn([300, 300]);
  const two = matmul(x, y).toFloat32Array();
  setNumThreads(1);
  expect(matmul(x, y).toFloat32Array()).toEqual(two);
});

test("out of memory around a parallel region: a typed error or a product on one thread, tensors intact", () => {
  const core = W as unknown as { setAllocFailure(n: number): void };
  const a = randn([300, 300]), b = randn([300, 300]);
  setNumThreads(1);
  const want = matmul(a, b).toFloat32Array();
  setNumThreads(2);
  for (let k = 0; k < 6; k++) {
    let got: Float32Array | null = null, err: unknown = null;
    core.setAllocFailure(k);
    try { got = matmul(a, b).toFloat32Array(); } catch (e) { err = e; } finally { core.setAllocFailure(-1); }
    if (err) expect(err).toBeInstanceOf(OutOfMemoryError);
    else expect(got).toEqual(want);
  }
  expect(matmul(a, b).toFloat32Array()).toEqual(want);
});
