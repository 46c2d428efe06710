// Automatic release driven by bytes as well as tensor counts, collection on demand, and the options.
// The memory bounds run in a fresh `node` (scripts in test/memory/, importing the built package) so
// that the WASM memory starts small and nothing else in the process has grown it.
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ones, randn, memory, collectGarbage, setMemoryOptions, DTypeError } from "wasmgrad";
import { reclaim, retryAlloc } from "../src/lifetime.js";

const root = new URL("..", import.meta.url).pathname;
const MiB = 1 << 20;

interface Run { steps: number; usPerStep: number; peakWasmBytes: number; peakHeapBytes: number; liveTensors: number }

function script(name: string, ...args: (string | number)[]): Run {
  expect(existsSync(`${root}build/index.js`), "run `npm run build` first (npm test does)").toBe(true);
  const out = execFileSync(process.execPath, [`${root}test/memory/${name}`, ...args.map(String)], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

const mib = (b: number): string => (b / MiB).toFixed(1);

test("an MLP loop runs 5,000 steps with no dispose in at most 32 MiB of WASM memory", () => {
  const auto = script("mlp.mjs", 5000, "auto");
  const data = script("mlp.mjs", 5000, "data");
  const tidied = script("mlp.mjs", 5000, "tidy");
  console.log(`MLP x5000, no dispose (noGrad update): peak WASM memory ${mib(auto.peakWasmBytes)} MiB, ${auto.usPerStep.toFixed(0)} µs/step`);
  console.log(`MLP x5000, no dispose (.data update):  peak WASM memory ${mib(data.peakWasmBytes)} MiB, ${data.usPerStep.toFixed(0)} µs/step`);
  console.log(`MLP x5000, tidy:                       peak WASM memory ${mib(tidied.peakWasmBytes)} MiB, ${tidied.usPerStep.toFixed(0)} µs/step (time ratio: npm run bench:memory)`);
  expect(auto.steps).toBe(5000);
  expect(auto.peakWasmBytes).toBeLessThanOrEqual(32 * MiB);
  expect(data.peakWasmBytes).toBeLessThanOrEqual(32 * MiB);
}, 180_000);

test("a loop of 8 MiB temporaries runs 3,000 steps with no dispose in at most 96 MiB", () => {
  const r = script("temps.mjs", 3000);
  console.log(`8 MiB temporaries x3000: peak WASM memory ${mib(r.peakWasmBytes)} MiB, peak heap ${mib(r.peakHeapBytes)} MiB, ${(r.usPerStep / 1000).toFixed(2)} ms/step`);
  expect(r.steps).toBe(3000);
  expect(r.peakWasmBytes).toBeLessThanOrEqual(96 * MiB);
}, 300_000);

test("a tidy() loop body whose temporaries pass the GC threshold forces no GC (its scope holds them)", () => {
  const r = script("tidy-large.mjs", 200) as Run & { majorGcs: number };
  console.log(`tidy loop, 4 x 4 MiB temporaries beside 12 MiB kept, x200: ${r.majorGcs} full GCs, ${(r.usPerStep / 1000).toFixed(2)} ms/step`);
  expect(r.steps).toBe(200);
  expect(r.majorGcs).toBe(0);
}, 60_000);

/** Makes n tensors and drops them (the function's frame holds the last references). */
function garbage(n: number, shape: number[]): void {
  for (let i = 0; i < n; i++) ones(shape).add(1);
}

test("collectGarbage releases every unreachable tensor, the newest ones too", () => {
  collectGarbage();
  const base = memory();
  garbage(10, [3]); // 20 small tensors: all in the chunk being filled
  garbage(3, [5000]); // large ones: a chunk each
  expect(memory().tensors).toBe(base.tensors + 26);
  collectGarbage();
  expect(memory().tensors).toBe(base.tensors);
  expect(memory().bytes).toBe(base.bytes);
});

test("collectGarbage keeps reachable tensors", () => {
  collectGarbage();
  const kept = [ones([4]).mul(3), randn([3000])];
  garbage(5, [4]);
  collectGarbage();
  expect(kept[0].toArray()).toEqual([3, 3, 3, 3]);
  expect(kept[1].shape).toEqual([3000]);
  expect(kept[0].isDisposed).toBe(false);
});

test("reclaim says whether it released anything", () => {
  collectGarbage();
  expect(reclaim()).toBe(false);
  garbage(4, [100]);
  expect(reclaim()).toBe(true);
});

test("retryAlloc collects and tries once more when the core returns 0", () => {
  collectGarbage();
  const base = memory().tensors;
  // nothing to release: no second try
  let calls = 0;
  expect(retryAlloc(() => (calls++, 0))).toBe(0);
  expect(calls).toBe(1);
  // a first success is returned as is, without collecting
  garbage(4, [100]);
  calls = 0;
  expect(retryAlloc(() => (calls++, 7))).toBe(7);
  expect(calls).toBe(1);
  expect(memory().tensors).toBe(base + 8);
  // out of memory with garbage around: release it, then succeed
  calls = 0;
  expect(retryAlloc(() => (calls++ === 0 ? 0 : 9))).toBe(9);
  expect(calls).toBe(2);
  expect(memory().tensors).toBe(base);
});

test("retryAlloc keeps the inputs that fn reads alive through the collection", () => {
  collectGarbage();
  const a = ones([2000]).mul(2);
  let calls = 0;
  garbage(3, [10]);
  const got = retryAlloc(() => (calls++ === 0 ? 0 : a.sum().item()));
  expect(got).toBe(4000);
});

test("large temporaries are collected by their bytes before their count comes due", () => {
  collectGarbage();
  const x = randn([1 << 18]); // 1 MiB
  let peak = 0;
  for (let i = 0; i < 200; i++) {
    x.mul(2).add(1);
    peak = Math.max(peak, memory().heapBytes);
  }
  // 400 MiB of temporaries, 400 tensors (well under a count check). Nothing but collections takes
  // time here, so the threshold rises to its limit, four times gcHeapBytes (48 MiB), passed by at
  // most a check's byte budget.
  console.log(`1 MiB temporaries x200 (in the test process): peak heap ${mib(peak)} MiB`);
  expect(peak).toBeLessThan(56 * MiB);
});

test("collections that take most of the time raise the threshold; once work dominates it comes back", () => {
  collectGarbage();
  const x = randn([1 << 18]); // 1 MiB
  let peak = 0;
  // only temporaries: the forced collections are nearly all the time
  for (let i = 0; i < 300; i++) {
    x.mul(2);
    peak = Math.max(peak, memory().heapBytes);
  }
  expect(peak).toBeGreaterThan(20 * MiB);
  expect(peak).toBeLessThan(56 * MiB);
  // the same temporaries between 25 ms of other work each: the collections become a few percent,
  // under the 5% at which the threshold goes back down; the smoothed share gets there within
  // a few collections (~120 temporaries at 48 then 24 MiB)
  const until = (ms: number): void => { const t = performance.now() + ms; while (performance.now() < t); };
  let late = 0;
  for (let i = 0; i < 200; i++) {
    x.mul(2);
    until(25);
    if (i >= 160) late = Math.max(late, memory().heapBytes);
  }
  console.log(`1 MiB temporaries: peak heap ${mib(peak)} MiB with nothing else to do, ${mib(late)} MiB with 25 ms of work each`);
  expect(late).toBeLessThan(16 * MiB);
});

test("setMemoryOptions rejects what is not an option object with a byte count", () => {
  const bad: unknown[] = [null, undefined, "12MB", 5, [], { gcHeapBytes: "12MB" }, { gcHeapBytes: -1 },
    { gcHeapBytes: NaN }, { gcHeapBytes: Infinity }, { gcHeapBytes: null }, { gcHeapByte: 1 }];
  for (const v of bad) {
    expect(() => setMemoryOptions(v as never), JSON.stringify(v) ?? String(v)).toThrow(DTypeError);
  }
  expect(() => setMemoryOptions(null as never)).toThrow(/^setMemoryOptions: expected an object like \{ gcHeapBytes: .* \}, got null$/);
  expect(() => setMemoryOptions({ gcHeapBytes: "12MB" as never })).toThrow(/^setMemoryOptions: gcHeapBytes must be a finite number of bytes >= 0, got "12MB"$/);
  expect(() => setMemoryOptions({ gcHeapBytes: -1 })).toThrow(/got -1$/);
  expect(() => setMemoryOptions({ gcHeapByte: 1 } as never)).toThrow(/unknown option "gcHeapByte"/);
  setMemoryOptions({});
  setMemoryOptions({ gcHeapBytes: 8 * MiB });
  setMemoryOptions({ gcHeapBytes: 12 * MiB });
});
