// WASM memory: automatic release in ordinary loops, and dispose / tidy / using for determinism.
import { test, expect } from "vitest";
import { tensor, ones, zeros, mul, sub, tidy, memory, collectGarbage, Tensor } from "wasmgrad";

const MiB = 1 << 20;

test("the lesson loop runs 1,000,000 steps in bounded WASM memory with no dispose", () => {
  const w = tensor([1.0], { requiresGrad: true });
  const xs = [1, 2, 3], ys = [2, 4, 6];
  let peak = 0;
  let l!: Tensor;
  for (let i = 0; i < 1_000_000; i++) {
    l = sub(mul(xs[i % 3], w), ys[i % 3]).pow(2);
    l.backward();
    w.grad!.item();
    w.data = sub(w.data, mul(0.01, w.grad!.data));
    w.grad!.data.zero_();
    if ((i & 4095) === 0) peak = Math.max(peak, memory().wasmBytes);
  }
  peak = Math.max(peak, memory().wasmBytes);
  console.log(`lesson x1e6: peak WASM memory ${(peak / MiB).toFixed(1)} MiB, live tensors ${memory().tensors}`);
  expect(peak).toBeLessThan(16 * MiB);
  expect(w.item()).toBeCloseTo(2, 5);
  collectGarbage();
  expect(memory().tensors).toBeLessThan(100);
});

test("dispose releases storage at once and the space is reused", () => {
  collectGarbage();
  const before = memory();
  for (let i = 0; i < 1000; i++) ones([1000]).dispose();
  const after = memory();
  expect(after.tensors).toBe(before.tensors);
  expect(after.bytes).toBe(before.bytes);
  expect(after.wasmBytes).toBe(before.wasmBytes);
});

test("tidy disposes what it created except what it returns", () => {
  collectGarbage();
  const base = memory().tensors;
  let inner!: Tensor;
  const kept = tidy(() => {
    inner = ones([3]).mul(2);
    const other = tidy(() => ones([2]).add(1));
    return { a: inner.add(1), b: [other] };
  });
  expect(inner.isDisposed).toBe(true);
  expect(Array.from(kept.a.toFloat32Array())).toEqual([3, 3, 3]);
  expect(Array.from(kept.b[0].toFloat32Array())).toEqual([2, 2]);
  expect(memory().tensors).toBe(base + 2);
  kept.a.dispose();
  kept.b[0].dispose();
  expect(memory().tensors).toBe(base);
});

test("`using` disposes at the end of the block", () => {
  let seen!: Tensor;
  {
    using t = ones([4]);
    seen = t;
    expect(t.sum().item()).toBe(4);
  }
  expect(seen.isDisposed).toBe(true);
});

test("a view keeps its base's storage alive after the base is disposed", () => {
  const base = tensor([[1, 2], [3, 4]]);
  const v = base.t();
  base.dispose();
  expect(v.toArray()).toEqual([[1, 3], [2, 4]]);
});

test("the graph keeps saved tensors alive after their wrappers are disposed", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(3);
  const z = y.mul(y);
  y.dispose();
  z.sum().backward();
  expect(Array.from(x.grad!.toFloat32Array())).toEqual([18, 36]);
});

test("values read before and after memory growth are the same", () => {
  const t = tensor([1, 2, 3]);
  const before = memory().wasmBytes;
  const big = zeros([8 * MiB]); // 32 MiB: the memory must grow
  expect(memory().wasmBytes).toBeGreaterThan(before);
  expect(Array.from(t.toFloat32Array())).toEqual([1, 2, 3]);
  expect(t.add(1).toArray()).toEqual([2, 3, 4]);
  big.dispose();
});

test("unreferenced tensors are reclaimed inside a synchronous loop", () => {
  collectGarbage();
  const start = memory().tensors;
  let maxLive = 0;
  for (let i = 0; i < 300_000; i++) {
    ones([16]).add(1);
    if ((i & 1023) === 0) maxLive = Math.max(maxLive, memory().tensors - start);
  }
  expect(maxLive).toBeLessThan(150_000);
});
