// Reading the values of strided tensors (dataSync, toArray): views come out through blocks of
// READ_CHUNK elements (assembly/ops/readRange.ts), never a contiguous copy of the whole. Each case
// is checked against values computed in plain JS from the base's values, on sizes that cross
// block boundaries and leave partial rows at both ends of a block.
import { test, expect } from "vitest";
import { arange, full, tensor, randn, memory } from "wasmgrad";
import { READ_CHUNK } from "../../assembly/abi.js";

const read = (t: { dataSync(): ArrayLike<number> }): ArrayLike<number> => t.dataSync();

/** Row-major values of the view of `base` (row-major, `shape`) by sizes and strides (elements) and offset. */
function strided(base: ArrayLike<number>, sizes: number[], strides: number[], offset: number): number[] {
  const out: number[] = [];
  const walk = (d: number, off: number): void => {
    if (d === sizes.length) { out.push(base[off]); return; }
    for (let i = 0; i < sizes[d]; i++) walk(d + 1, off + i * strides[d]);
  };
  walk(0, offset);
  return out;
}

test("a transposed matrix larger than a block reads as its transpose", () => {
  const rows = 700, cols = 1001; // 700 * 1001 > 2 blocks, rows of the transpose straddle block ends
  const a = arange(rows * cols).reshape([rows, cols]);
  expect(rows * cols).toBeGreaterThan(2 * READ_CHUNK);
  const got = Array.from(a.t().dataSync());
  expect(got).toEqual(strided(a.dataSync(), [cols, rows], [1, cols], 0));
});

test("an expanded scalar of 3.5 blocks reads as that many copies, in every dtype", () => {
  const n = Math.floor(3.5 * READ_CHUNK);
  for (const [dtype, v] of [["float32", 7], ["float64", 0.1], ["int32", -5], ["bool", true]] as const) {
    const got = full([1], v, { dtype }).expand([n]).dataSync();
    expect(got.length).toBe(n);
    const want = dtype === "float32" ? Math.fround(v as number) : Number(v);
    expect(got.every((x) => x === want), dtype).toBe(true);
  }
});

test("slices with a step, selects and permutes of a 4-d tensor read as plain JS indexing says", () => {
  const shape = [3, 70, 50, 40];
  const base = randn(shape, { dtype: "float64" });
  const vals = base.dataSync();
  const st = [70 * 50 * 40, 50 * 40, 40, 1];
  // x[:, 5::3, :, 1::2] permuted to (3, 0, 2, 1)
  const v = base.slice(1, 5, 70, 3).slice(3, 1, 40, 2).permute([3, 0, 2, 1]);
  const sizes = [20, 3, 50, 22], strides = [2 * st[3], st[0], st[2], 3 * st[1]];
  expect(Array.from(v.dataSync())).toEqual(strided(vals, sizes, strides, 5 * st[1] + 1));
  // x[2, :, 7] : a 2-d view with an offset
  expect(Array.from(base.select(0, 2).select(1, 7).dataSync())).toEqual(strided(vals, [70, 40], [st[1], st[3]], 2 * st[0] + 7 * st[2]));
});

test("toArray of a view, a 0-d view and an empty view", () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" });
  expect(m.t().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  expect(m.select(0, 1).select(0, 2).toArray()).toBe(6);
  expect(m.slice(1, 1, 1).t().toArray()).toEqual([]);
});

test("reading a 64 MiB view takes one block of the core's memory, not a copy of the whole", () => {
  const n = 64 * READ_CHUNK;
  const x = full([1], 2).expand([n]);
  const before = memory();
  const got = read(x);
  const after = memory();
  expect(got[n - 1]).toBe(2);
  expect(after.heapBytes).toBe(before.heapBytes); // the block went back
  // a contiguous copy would have raised the peak by 64 MiB; one block adds at most READ_CHUNK floats
  expect(after.peakHeapBytes).toBeLessThanOrEqual(Math.max(before.peakHeapBytes, before.heapBytes + 4 * READ_CHUNK + 4096));
});
