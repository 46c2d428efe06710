// The core's allocator seen through the public API: the 4 GiB end of wasm32 memory, heap counters
// past 2 GiB, waste of blocks just over a size class, and reuse of freed blocks.
import { test, expect } from "vitest";
import { tensor, zeros, empty, full, ones, memory, collectGarbage, OutOfMemoryError, Tensor } from "wasmgrad";
import { W } from "../src/wasm/load.js";

const KiB = 2 ** 10, MiB = 2 ** 20, GiB = 2 ** 30;
const N = 2 ** 28; // float32 elements in 1 GiB

/** True when every element of t (numel a multiple of 1024, at most 2^18 per row) equals v, an integer. */
function allEqual(t: Tensor, v: number): boolean {
  const n = t.numel();
  const rows = t.view(1024, n / 1024), sums = rows.sum(1);
  const ok = Array.from(sums.toFloat32Array()).every((s) => s === v * (n / 1024));
  rows.dispose();
  sums.dispose();
  return ok;
}

/** Creates a tensor with fn, or returns the error it threw. */
function attempt(fn: () => Tensor): Tensor | unknown {
  try {
    return fn();
  } catch (e) {
    return e;
  }
}

/** True when fn throws OutOfMemoryError; a tensor it makes instead is disposed. */
function outOfMemory(fn: () => Tensor): boolean {
  const r = attempt(fn);
  if (r instanceof Tensor) r.dispose();
  else if (!(r instanceof OutOfMemoryError)) throw r;
  return !(r instanceof Tensor);
}

const addr = (t: Tensor): number => W.dataAddr(t._h) >>> 0;

// Touching fresh memory is slow (page faults: seconds per GiB on some machines), so only the tensors
// whose values are checked are filled; `empty` takes its block without writing to it.
test("1 GiB tensors until out of memory: an OutOfMemoryError, earlier tensors intact, space reusable", () => {
  collectGarbage();
  const small = tensor([1, 2, 3]);
  const big: Tensor[] = [full([N], 1)];
  let err: unknown = null;
  for (let i = 1; i < 6 && err === null; i++) {
    const r = attempt(() => empty([N]));
    if (r instanceof Tensor) big.push(r);
    else err = r;
  }
  try {
    expect(err instanceof OutOfMemoryError ? "OutOfMemoryError" : String(err)).toBe("OutOfMemoryError");
    expect(big.length).toBe(3); // a 4th needs 1 GiB past the 3 GiB the others and the static data fill
    expect(allEqual(big[0], 1)).toBe(true);
    expect(small.toArray()).toEqual([1, 2, 3]);

    const m = memory();
    expect(m.heapBytes).toBeGreaterThanOrEqual(3 * GiB);
    expect(m.heapBytes).toBeLessThan(3 * GiB + 16 * MiB);
    expect(m.peakHeapBytes).toBeGreaterThanOrEqual(m.heapBytes);
    expect(m.wasmBytes).toBeLessThanOrEqual(4 * GiB);
    const s = ones([1000]), sum = s.sum();
    expect(sum.item()).toBe(1000);
    s.dispose();
    sum.dispose();

    // a freed 1 GiB block serves the next 1 GiB request without growing memory
    const at = addr(big[1]);
    big[1].dispose();
    expect(memory().heapBytes).toBeLessThan(2 * GiB + 16 * MiB);
    big[1] = full([N], 7);
    expect(addr(big[1])).toBe(at);
    expect(memory().wasmBytes).toBe(m.wasmBytes);
    expect([allEqual(big[0], 1), allEqual(big[1], 7)]).toEqual([true, true]);

    // near the end: half a GiB fits once, the next does not, then comes out of a freed 1 GiB block
    big.push(empty([N / 2]));
    expect(outOfMemory(() => empty([N / 2]))).toBe(true);
    big[2].dispose();
    big[2] = empty([N / 2]);
    big.push(empty([N / 4]));
    expect(memory().wasmBytes).toBeLessThanOrEqual(4 * GiB);
    expect([allEqual(big[0], 1), allEqual(big[1], 7)]).toEqual([true, true]);
    expect(small.add(1).toArray()).toEqual([2, 3, 4]);
  } finally {
    for (const t of big) t.dispose();
    small.dispose();
  }
  expect(memory().heapBytes).toBeLessThan(16 * MiB);
});

test("a tensor just over a power of two costs little more than its data", () => {
  const cases: number[][] = [[1024, 1024], [2048, 2048], [512, 512], [256, 256], [64, 64], [1024], [1000], [300, 300], [17, 33]];
  for (const shape of cases) {
    const data = shape.reduce((a, b) => a * b, 1) * 4;
    zeros(shape).dispose(); // shape records and table pages come first
    const before = memory().heapBytes;
    const t = zeros(shape);
    const cost = memory().heapBytes - before;
    t.dispose();
    expect(cost, `zeros([${shape}])`).toBeGreaterThanOrEqual(data);
    expect(cost, `zeros([${shape}])`).toBeLessThanOrEqual(Math.max(data * 1.07, data + 4 * KiB) + 64);
  }
  const before = memory().heapBytes;
  const t = zeros([1024, 1024]);
  expect(memory().heapBytes - before).toBeLessThanOrEqual(4 * MiB + 8 * KiB);
  t.dispose();
});

test("the block freed last is handed out first, medium and large", () => {
  for (const n of [60, 1000, 300 * 300, 1 << 22]) {
    const a = zeros([n]), b = zeros([n]);
    const pa = addr(a), pb = addr(b);
    a.dispose();
    b.dispose();
    const c = zeros([n]), d = zeros([n]);
    expect([addr(c), addr(d)], `n = ${n}`).toEqual([pb, pa]);
    c.dispose();
    d.dispose();
  }
});

test("a loop over mixed sizes runs in constant memory", () => {
  const shapes = [[1024, 1024], [1000, 1000], [3], [4096], [300, 301], [1 << 20]];
  const round = () => {
    for (const s of shapes) {
      const a = zeros(s), b = a.add(1);
      a.dispose();
      b.dispose();
    }
  };
  round();
  const m = memory();
  for (let i = 0; i < 50; i++) round();
  expect(memory().wasmBytes).toBe(m.wasmBytes);
  expect(memory().heapBytes).toBeLessThanOrEqual(m.heapBytes + 64 * KiB);
});
