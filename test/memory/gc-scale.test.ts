// The rule that raises the forced-GC threshold (src/gcScale.ts), case by case, and the threshold it scales:
// collections that free large tensors and take over GC_SHARE of the time, stops at 2x below a 0.4
// share and 4x above (or beside a large JS heap), and comes back down as the share falls.
import { test, expect } from "vitest";
import { nextScale, gcThreshold, GC_SHARE, LARGE_FREED, BIG_JS_HEAP } from "../../src/gcScale.js";

const large = [64 * 64 * LARGE_FREED, 64] as const; // 64 tensors of 64x the bound each
const tiny = [64 * 200, 64] as const; // the lesson's: a few hundred bytes a tensor

test("collections of large tensors above the share double the scale, to 2x below a 0.4 share and 4x above", () => {
  expect(nextScale(1, GC_SHARE + 0.01, ...large)).toBe(2);
  expect(nextScale(2, 0.3, ...large)).toBe(2);
  expect(nextScale(2, 0.41, ...large)).toBe(4);
  expect(nextScale(4, 0.9, ...large)).toBe(4);
  expect(nextScale(1, GC_SHARE, ...large)).toBe(1);
});

test("collections of tiny tensors never raise it and bring a raised one down, whatever their share", () => {
  expect(nextScale(1, 0.9, ...tiny)).toBe(1);
  expect(nextScale(2, 0.9, ...tiny)).toBe(1);
  expect(nextScale(4, 0.9, ...tiny)).toBe(2);
  expect(nextScale(1, 0.9, 0, 0)).toBe(1); // nothing freed
});

test("it halves as the share falls below 0.4 and below half of GC_SHARE, and holds in between", () => {
  expect(nextScale(4, 0.3, ...large)).toBe(2);
  expect(nextScale(2, GC_SHARE * 0.75, ...large)).toBe(2);
  expect(nextScale(2, GC_SHARE / 2 - 0.001, ...large)).toBe(1);
  expect(nextScale(1, 0, ...large)).toBe(1);
});

test("beside a JS heap larger than BIG_JS_HEAP x gcHeapBytes it goes on to 4x at any share past GC_SHARE", () => {
  const big = BIG_JS_HEAP + 0.5, small = BIG_JS_HEAP - 0.5;
  expect(nextScale(2, 0.2, ...large, big)).toBe(4);
  expect(nextScale(2, 0.2, ...large, small)).toBe(2);
  expect(nextScale(4, 0.2, ...large, big)).toBe(4);
  expect(nextScale(4, 0.2, ...large, small)).toBe(2);
  expect(nextScale(4, GC_SHARE / 2 - 0.001, ...large, big)).toBe(2);
  expect(nextScale(2, 0.9, ...tiny, big)).toBe(1);
});

test("the threshold is gcHeapBytes or 1.5x the baseline at 1x; both parts grow with the scale, the second by half of what the first gains", () => {
  const MiB = 2 ** 20, G = 12 * MiB;
  expect(gcThreshold(G, 1, 2 * MiB)).toBe(G);
  expect(gcThreshold(G, 1, 36 * MiB)).toBe(54 * MiB);
  expect(gcThreshold(G, 2, 2 * MiB)).toBe(2 * G);
  expect(gcThreshold(G, 2, 36 * MiB)).toBe(60 * MiB);
  expect(gcThreshold(G, 4, 2 * MiB)).toBe(4 * G);
  expect(gcThreshold(G, 4, 36 * MiB)).toBe(72 * MiB);
  expect(gcThreshold(G, 4, 1024 * MiB)).toBe(1554 * MiB);
});
