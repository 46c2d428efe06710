// Well-defined cases with known answers (PyTorch 1.13's), where a wrong value would pass silently.
// `run` returns null when the library gives the expected answer, else what it did instead.

import type { Lib, Tensor } from "./spec";
import { describeThrown } from "./runner";

export interface Known {
  call: string;
  expect: string;
  run: (wg: Lib) => string | null;
  /** needs gigabytes or seconds: runs in a child process */
  heavy?: boolean;
  /** bytes of fresh memory any implementation must write (the result), for the time budget */
  bytes?: number;
}

const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
const near = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= 1e-6 * Math.max(1, Math.abs(b[i])));

function got(wg: Lib, f: () => unknown): { value?: unknown; error?: unknown } {
  try { return { value: f() }; } catch (e) { return { error: e }; }
}

function shown(v: unknown): string {
  if (v && typeof v === "object" && "shape" in v && "dataSync" in v) {
    const t = v as Tensor;
    const n = t.numel();
    return `a tensor of shape ${JSON.stringify(t.shape)}${n <= 16 ? ` with values ${JSON.stringify(vals(t))}` : ""}`;
  }
  return JSON.stringify(v) ?? String(v);
}

/** f gives a tensor of exactly `shape` and `values`. */
function gives(f: (wg: Lib) => Tensor, shape: number[], values: number[], approx = false): (wg: Lib) => string | null {
  return (wg) => {
    const r = got(wg, () => f(wg));
    if (r.error !== undefined) return `threw ${describeThrown(r.error)}`;
    const t = r.value as Tensor;
    if (!same(t.shape, shape)) return `gave ${shown(t)}`;
    const v = vals(t);
    return (approx ? near(v, values) : same(v, values)) ? null : `gave ${shown(t)}`;
  };
}

/** f throws a WasmgradError (of `type` when given) whose message starts with `op`. */
function throwsTyped(f: (wg: Lib) => unknown, op: string, type?: string): (wg: Lib) => string | null {
  return (wg) => {
    const r = got(wg, () => f(wg));
    if (r.error === undefined) return `returned ${shown(r.value)}`;
    const e = r.error;
    if (!(e instanceof wg.WasmgradError)) return `threw ${describeThrown(e)}`;
    if (type && e.constructor.name !== type) return `threw ${describeThrown(e)} (expected a ${type})`;
    if (!e.message.startsWith(op)) return `threw ${describeThrown(e)} (the message does not start with "${op}")`;
    return null;
  };
}

/** f returns a tensor of `shape` whose values all equal `v`, or throws a typed `oomOk` error. */
function allEqualOrTyped(f: (wg: Lib) => Tensor | number | Float32Array | Int32Array, expected: number | ((x: unknown) => string | null), typed: string[]): (wg: Lib) => string | null {
  return (wg) => {
    const r = got(wg, () => f(wg));
    if (r.error !== undefined) {
      const e = r.error;
      if (e instanceof wg.WasmgradError && typed.includes(e.constructor.name)) return null;
      return `threw ${describeThrown(e)}`;
    }
    if (typeof expected === "function") return expected(r.value);
    const v = r.value;
    if (typeof v === "number") return Object.is(v, expected) ? null : `gave ${v}`;
    const arr = v as Float32Array;
    for (let i = 0; i < arr.length; i++) {
      if (!Object.is(arr[i], expected)) return `gave ${arr.length} values, value ${arr[i]} at index ${i}`;
    }
    return null;
  };
}

/** Writing to the returned shape array must not change the tensor. */
function shapeKept(mutate: (s: number[]) => void): (wg: Lib) => string | null {
  return (wg) => {
    const m = wg.zeros([2, 3]);
    try { mutate(m.shape as number[]); } catch { /* a frozen array may throw in strict mode: fine */ }
    const r = got(wg, () => ({ shape: m.shape.slice(), size: m.size(), numel: m.numel(), n: m.dataSync().length }));
    if (r.error !== undefined) return `afterwards reading the tensor threw ${describeThrown(r.error)}`;
    const s = r.value as { shape: number[]; size: number[]; numel: number; n: number };
    if (!same(s.shape, [2, 3]) || !same(s.size, [2, 3]) || s.numel !== 6) return `the tensor now has shape ${JSON.stringify(s.shape)}, size() ${JSON.stringify(s.size)}, numel() ${s.numel}, ${s.n} values`;
    return null;
  };
}

export const KNOWN: Known[] = [
  // creation
  { call: "linspace(0, 1, 1)", expect: "[0] (torch.linspace(0, 1, 1) is tensor([0.]))", run: gives((wg) => wg.linspace(0, 1, 1), [1], [0]) },
  { call: "linspace(2, 5, 1)", expect: "[2]", run: gives((wg) => wg.linspace(2, 5, 1), [1], [2]) },
  { call: "linspace(0, 1, 0)", expect: "shape [0]", run: gives((wg) => wg.linspace(0, 1, 0), [0], []) },
  { call: "linspace(0, 1, 5)", expect: "[0, 0.25, 0.5, 0.75, 1]", run: gives((wg) => wg.linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1]) },
  { call: "arange(5)", expect: "[0, 1, 2, 3, 4]", run: gives((wg) => wg.arange(5), [5], [0, 1, 2, 3, 4]) },
  { call: "arange(0, 1, 0.25)", expect: "[0, 0.25, 0.5, 0.75]", run: gives((wg) => wg.arange(0, 1, 0.25), [4], [0, 0.25, 0.5, 0.75]) },
  { call: "arange(0, 2**32+3)", expect: "a typed error (4294967299 elements are more than supported); never a shape of 4294967299 over 3 values",
    run: throwsTyped((wg) => wg.arange(0, 2 ** 32 + 3), "arange") },
  { call: "arange(0, 2**31)", expect: "a typed error (2**31 elements are more than the 2**31-1 supported)", run: throwsTyped((wg) => wg.arange(0, 2 ** 31), "arange") },
  { call: "arange(0, 1e300)", expect: "a typed error", run: throwsTyped((wg) => wg.arange(0, 1e300), "arange") },
  { call: "eye(2, 3)", expect: "[[1, 0, 0], [0, 1, 0]]", run: gives((wg) => wg.eye(2, 3), [2, 3], [1, 0, 0, 0, 1, 0]) },
  { call: "eye(0)", expect: "shape [0, 0]", run: gives((wg) => wg.eye(0), [0, 0], []) },
  { call: "eye(65536)", expect: "a typed error (4294967296 elements)", run: throwsTyped((wg) => wg.eye(65536), "eye") },
  { call: "full([2], 2**31, { dtype: \"int32\" })", expect: "a typed error (value cannot be converted to type int32 without overflow), not saturation",
    run: throwsTyped((wg) => wg.full([2], 2 ** 31, { dtype: "int32" }), "full") },
  { call: "full([2], -(2**31)-1, { dtype: \"int32\" })", expect: "a typed error (overflow)", run: throwsTyped((wg) => wg.full([2], -(2 ** 31) - 1, { dtype: "int32" }), "full") },
  { call: "full([2], NaN, { dtype: \"int32\" })", expect: "a typed error (NaN has no int32 value)", run: throwsTyped((wg) => wg.full([2], NaN, { dtype: "int32" }), "full") },
  { call: "full([2], 2**31-1, { dtype: \"int32\" })", expect: "[2147483647, 2147483647]", run: gives((wg) => wg.full([2], 2 ** 31 - 1, { dtype: "int32" }), [2], [2147483647, 2147483647]) },
  { call: "full([2], -2.7, { dtype: \"int32\" })", expect: "[-2, -2] (truncation)", run: gives((wg) => wg.full([2], -2.7, { dtype: "int32" }), [2], [-2, -2]) },
  { call: "full([2], 2.5, { dtype: \"bool\" })", expect: "[true, true] (stored as 1)", run: gives((wg) => wg.full([2], 2.5, { dtype: "bool" }), [2], [1, 1]) },
  { call: "full([2], NaN, { dtype: \"bool\" })", expect: "[true, true] (NaN is truthy in torch)", run: gives((wg) => wg.full([2], NaN, { dtype: "bool" }), [2], [1, 1]) },
  { call: "zeros([2], { dtype: \"bool\" }).fill_(2.5)", expect: "[true, true] (stored as 1)", run: gives((wg) => wg.zeros([2], { dtype: "bool" }).fill_(2.5), [2], [1, 1]) },
  { call: "zeros([2], { dtype: \"bool\" }).fill_(-1)", expect: "[true, true] (stored as 1)", run: gives((wg) => wg.zeros([2], { dtype: "bool" }).fill_(-1), [2], [1, 1]) },
  { call: "zeros([2], { dtype: \"int32\" }).fill_(2**31)", expect: "a typed error (overflow)", run: throwsTyped((wg) => wg.zeros([2], { dtype: "int32" }).fill_(2 ** 31), "fill_") },
  { call: "zeros([2], { dtype: \"int32\" }).fill_(-2.5)", expect: "[-2, -2]", run: gives((wg) => wg.zeros([2], { dtype: "int32" }).fill_(-2.5), [2], [-2, -2]) },
  { call: "tensor([2**31], { dtype: \"int32\" })", expect: "a typed error (overflow)", run: throwsTyped((wg) => wg.tensor([2 ** 31], { dtype: "int32" }), "tensor") },
  { call: "tensor(-0).item()", expect: "-0", run: (wg) => { const v = wg.tensor(-0).item(); return Object.is(v, -0) ? null : `gave ${v}`; } },
  { call: "tensor(new Int32Array([2**31-1, -(2**31)])).dataSync()", expect: "[2147483647, -2147483648]",
    run: gives((wg) => wg.tensor(new Int32Array([2 ** 31 - 1, -(2 ** 31)])), [2], [2147483647, -2147483648]) },
  // in place on empty tensors and views
  { call: "zeros([2, 0]).add_(1)", expect: "a [2, 0] tensor (in-place ops on empty tensors work in torch)", run: gives((wg) => wg.zeros([2, 0]).add_(1), [2, 0], []) },
  { call: "zeros([0]).mul_(2)", expect: "a [0] tensor", run: gives((wg) => wg.zeros([0]).mul_(2), [0], []) },
  { call: "zeros([2, 0]).fill_(3)", expect: "a [2, 0] tensor", run: gives((wg) => wg.zeros([2, 0]).fill_(3), [2, 0], []) },
  { call: "zeros([0, 3]).zero_()", expect: "a [0, 3] tensor", run: gives((wg) => wg.zeros([0, 3]).zero_(), [0, 3], []) },
  { call: "zeros([2, 0]).copy_(ones([2, 0]))", expect: "a [2, 0] tensor", run: gives((wg) => wg.zeros([2, 0]).copy_(wg.ones([2, 0])), [2, 0], []) },
  { call: "zeros([2, 0]).sub_(ones([0]))", expect: "a [2, 0] tensor", run: gives((wg) => wg.zeros([2, 0]).sub_(wg.ones([0])), [2, 0], []) },
  { call: "zeros([2, 3]).t().fill_(4) (then the base)", expect: "base all 4",
    run: (wg) => { const b = wg.zeros([2, 3]); b.t().fill_(4); const v = vals(b); return same(v, [4, 4, 4, 4, 4, 4]) ? null : `base became ${JSON.stringify(v)}`; } },
  // values through views and reductions
  { call: "tensor([[1, 2, 3], [4, 5, 6]]).t().contiguous()", expect: "[1, 4, 2, 5, 3, 6]", run: gives((wg) => wg.tensor([[1, 2, 3], [4, 5, 6]]).t().contiguous(), [3, 2], [1, 4, 2, 5, 3, 6]) },
  { call: "tensor([1, 2]).unsqueeze(0).expand(2, 2).contiguous()", expect: "[1, 2, 1, 2]", run: gives((wg) => wg.tensor([1, 2]).unsqueeze(0).expand(2, 2).contiguous(), [2, 2], [1, 2, 1, 2]) },
  { call: "zeros([0]).sum()", expect: "0", run: gives((wg) => wg.zeros([0]).sum(), [], [0]) },
  { call: "zeros([0]).mean()", expect: "NaN", run: gives((wg) => wg.zeros([0]).mean(), [], [NaN]) },
  { call: "ones([2, 0]).sum(1)", expect: "[0, 0]", run: gives((wg) => wg.ones([2, 0]).sum(1), [2], [0, 0]) },
  { call: "ones([2, 0]).sum(0)", expect: "shape [0]", run: gives((wg) => wg.ones([2, 0]).sum(0), [0], []) },
  { call: "mm(ones([2, 0]), ones([0, 3]))", expect: "zeros of shape [2, 3]", run: gives((wg) => wg.mm(wg.ones([2, 0]), wg.ones([0, 3])), [2, 3], [0, 0, 0, 0, 0, 0]) },
  { call: "tensor([1, 2, 3]).matmul(tensor([4, 5, 6]))", expect: "32 (0-d)", run: gives((wg) => wg.tensor([1, 2, 3]).matmul(wg.tensor([4, 5, 6])), [], [32]) },
  { call: "ones([3]).expand(2, 3).sum(0)", expect: "[2, 2, 2]", run: gives((wg) => wg.ones([3]).expand(2, 3).sum(0), [3], [2, 2, 2]) },
  { call: "tensor([1, 2, 3, 4]).mean()", expect: "2.5", run: gives((wg) => wg.tensor([1, 2, 3, 4]).mean(), [], [2.5]) },
  // 2**24 + 1 has no float32 value: torch's float32 sum of 2**24 + 1 ones is 16777216 too. A sum
  // that stalls at 2**24 shows with an even count, and with a count well past 2**24.
  { call: "ones(2**24 + 1).sum()", expect: "16777216 (torch: 2**24 + 1 rounds to 2**24 in float32)", run: gives((wg) => wg.ones(2 ** 24 + 1).sum(), [], [2 ** 24]) },
  { call: "ones(2**24 + 2).sum()", expect: "16777218 (float32 sums must not stall at 2**24)", run: gives((wg) => wg.ones(2 ** 24 + 2).sum(), [], [2 ** 24 + 2]) },
  { call: "ones(2**25 + 3).sum()", expect: "33554436 (torch's value: 2**25 + 3 rounded to float32)", run: gives((wg) => wg.ones(2 ** 25 + 3).sum(), [], [2 ** 25 + 4]) },
  { call: "ones([3, 2**23 + 1]).sum(1)", expect: "[8388609, 8388609, 8388609] (per row, exact)", run: gives((wg) => wg.ones([3, 2 ** 23 + 1]).sum(1), [3], [2 ** 23 + 1, 2 ** 23 + 1, 2 ** 23 + 1]) },
  { call: "ones(1).expand(2**30).sum()", expect: "exactly 2**30, or a typed error", heavy: true,
    run: allEqualOrTyped((wg) => wg.ones(1).expand(2 ** 30).sum().item(), 2 ** 30, ["OutOfMemoryError", "ShapeError"]) },
  { call: "full([1], 7).expand(6e8).dataSync()", expect: "6e8 sevens, or a typed OutOfMemoryError", heavy: true, bytes: 6e8 * 4,
    run: allEqualOrTyped((wg) => wg.full([1], 7).expand(6e8).dataSync(), 7, ["OutOfMemoryError"]) },
  { call: "full([1], 7).expand(6e8).contiguous() then .sum()", expect: "4.2e9 (within float32 rounding), or a typed OutOfMemoryError", heavy: true, bytes: 6e8 * 4,
    run: allEqualOrTyped((wg) => wg.full([1], 7).expand(6e8).contiguous().sum().item(), (v) => Math.abs((v as number) - 4.2e9) <= 4.2e9 * 1e-5 ? null : `gave ${v}`, ["OutOfMemoryError"]) },
  // misuse that must throw a typed error
  { call: "setMemoryOptions({ gcHeapBytes: \"12MB\" })", expect: "a typed error", run: throwsTyped((wg) => wg.setMemoryOptions({ gcHeapBytes: "12MB" as never }), "setMemoryOptions") },
  { call: "setMemoryOptions({ gcHeapBytes: -1 })", expect: "a typed error", run: throwsTyped((wg) => wg.setMemoryOptions({ gcHeapBytes: -1 }), "setMemoryOptions") },
  { call: "setMemoryOptions({ gcHeapBytes: NaN })", expect: "a typed error", run: throwsTyped((wg) => wg.setMemoryOptions({ gcHeapBytes: NaN }), "setMemoryOptions") },
  { call: "setMemoryOptions()", expect: "a typed error", run: throwsTyped((wg) => (wg.setMemoryOptions as () => void)(), "setMemoryOptions") },
  { call: "setMemoryOptions(null)", expect: "a typed error", run: throwsTyped((wg) => wg.setMemoryOptions(null as never), "setMemoryOptions") },
  { call: "zeros(10n)", expect: "a typed error", run: throwsTyped((wg) => wg.zeros(10n as never), "zeros") },
  { call: "zeros([2, 10n])", expect: "a typed error", run: throwsTyped((wg) => wg.zeros([2, 10n] as never), "zeros") },
  { call: "zeros(Symbol())", expect: "a typed error", run: throwsTyped((wg) => wg.zeros(Symbol() as never), "zeros") },
  { call: "ones([2, 3]).sum(Symbol())", expect: "a typed error", run: throwsTyped((wg) => wg.ones([2, 3]).sum(Symbol() as never), "sum") },
  { call: "ones([2, 3]).transpose(Symbol(), 0)", expect: "a typed error", run: throwsTyped((wg) => wg.ones([2, 3]).transpose(Symbol() as never, 0), "transpose") },
  { call: "ones([2]).expandAs(null)", expect: "a typed error", run: throwsTyped((wg) => wg.ones([2]).expandAs(null as never), "expandAs") },
  { call: "toDot(ones([2]), null)", expect: "a typed error", run: throwsTyped((wg) => wg.toDot(wg.ones([2]), null as never), "toDot") },
  { call: "full([2], 10n)", expect: "a typed error", run: throwsTyped((wg) => wg.full([2], 10n as never), "full") },
  { call: "ones([2]).mul(Symbol())", expect: "a typed error", run: throwsTyped((wg) => wg.ones([2]).mul(Symbol() as never), "mul") },
  { call: "setPrintSink(5)", expect: "a typed error (the sink must be a function or null)", run: (wg) => {
    const set = (wg as unknown as Record<string, (x: unknown) => unknown>).setPrintSink;
    if (typeof set !== "function") return null;
    const r = throwsTyped(() => set(5), "setPrintSink")(wg);
    set(() => {});
    return r;
  } },
  { call: "setPrintSink(\"x\")", expect: "a typed error", run: (wg) => {
    const set = (wg as unknown as Record<string, (x: unknown) => unknown>).setPrintSink;
    if (typeof set !== "function") return null;
    const r = throwsTyped(() => set("x"), "setPrintSink")(wg);
    set(() => {});
    return r;
  } },
  // shape arrays
  { call: "m.shape.reverse() (m = zeros([2, 3]))", expect: "m keeps shape [2, 3] (.shape is a copy or frozen)", run: shapeKept((s) => s.reverse()) },
  { call: "a.shape[0] = 16 (a = zeros([2, 3]))", expect: "a keeps shape [2, 3]", run: shapeKept((s) => { s[0] = 16; }) },
  { call: "a.shape.push(4) (a = zeros([2, 3]))", expect: "a keeps shape [2, 3]", run: shapeKept((s) => { s.push(4); }) },
  { call: "a.size().reverse()", expect: "a keeps shape [2, 3]", run: (wg) => { const a = wg.zeros([2, 3]); a.size().reverse(); return same(a.shape, [2, 3]) ? null : `a now has shape ${JSON.stringify(a.shape)}`; } },
  { call: "zeros(s) then s[0] = 9 (s = [2, 3])", expect: "the tensor keeps shape [2, 3]", run: (wg) => { const s = [2, 3]; const a = wg.zeros(s); s[0] = 9; return same(a.shape, [2, 3]) ? null : `the tensor now has shape ${JSON.stringify(a.shape)}`; } },
  { call: "x.view(s) then s[0] = 9 (s = [3, 2])", expect: "the view keeps shape [3, 2]", run: (wg) => { const s = [3, 2]; const a = wg.zeros([6]).view(s); s[0] = 9; return same(a.shape, [3, 2]) ? null : `the view now has shape ${JSON.stringify(a.shape)}`; } },
  { call: "g = x.grad; g.shape[0] = 5 (then x.grad.shape)", expect: "x.grad keeps shape [2]", run: (wg) => {
    const x = wg.tensor([1, 2], { requiresGrad: true }); x.sum().backward(); (x.grad!.shape as number[])[0] = 5;
    return same(x.grad!.shape, [2]) && same(x.shape, [2]) ? null : `x.grad now has shape ${JSON.stringify(x.grad!.shape)}, x ${JSON.stringify(x.shape)}`;
  } },
];
