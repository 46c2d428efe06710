// The hot path's memory: same-dtype contiguous operands of an elementwise op are read in place (no
// converted copy), and a freed block, small or large, is the next one handed out for its size
// (LIFO), so a loop that disposes its temporaries reuses the same memory every step.
import { test, expect } from "vitest";
import { randn, memory, Tensor, OutOfMemoryError } from "wasmgrad";
import { W } from "../../src/wasm/load";

const addr = (t: Tensor) => W.dataAddr(t._h);

/** The fewest allocations fn needs to succeed (allocation fault injection). */
function allocationsOf(fn: () => Tensor): number {
  for (let n = 0; n < 16; n++) {
    W.setAllocFailure(n);
    try {
      const t = fn();
      W.setAllocFailure(-1);
      t.dispose();
      return n;
    } catch (e) {
      if (!(e instanceof OutOfMemoryError)) throw e;
    } finally {
      W.setAllocFailure(-1);
    }
  }
  throw new Error("no success within 16 allocations");
}

test("add and mul of contiguous same-dtype operands read them in place: one allocation fewer than a strided operand", () => {
  const n = 1 << 16;
  const a = randn(n), b = randn(n), wide = randn(2 * n), strided = wide.slice(0, 0, 2 * n, 2);
  const a2 = a.view([256, 256]), b2 = b.view([256, 256]);
  for (const op of [(x: Tensor, y: Tensor) => x.add(y), (x: Tensor, y: Tensor) => x.mul(y)]) {
    const inPlace = allocationsOf(() => op(a, b));
    expect(allocationsOf(() => op(a, strided))).toBe(inPlace + 1);
    expect(allocationsOf(() => op(a2, b2))).toBe(inPlace);
  }
});

test("a disposed block is the next one handed out for its size: large and small, newest first", () => {
  for (const n of [1 << 20, 300_000, 1000, 3]) {
    const a = randn(n), b = randn(n), c = randn(n);
    const t1 = a.mul(b), t2 = t1.add(c);
    const p1 = addr(t1), p2 = addr(t2);
    t1.dispose(); t2.dispose();
    // t2 was freed last: the next output of this size takes its block, the one after t1's
    const u1 = a.mul(b), u2 = u1.add(c);
    expect([addr(u1), addr(u2)]).toEqual([p2, p1]);
    u1.dispose(); u2.dispose();
  }
});

test("a * b + c with dispose in a loop: the heap stays flat", () => {
  const n = 1 << 20;
  const a = randn(n), b = randn(n), c = randn(n);
  const step = () => { const t = a.mul(b); const r = t.add(c); t.dispose(); r.dispose(); };
  for (let i = 0; i < 5; i++) step();
  const live = memory().heapBytes, wasm = memory().wasmBytes;
  for (let i = 0; i < 50; i++) step();
  expect(memory().heapBytes).toBe(live);
  expect(memory().wasmBytes).toBe(wasm);
});
