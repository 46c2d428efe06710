// Runs one described call against the library and classifies what happened; checks afterwards
// that sentinel tensors made at the start are unchanged and that a small op + backward is right.

import { type Lib, type Tensor, type Spec, type TensorSpec, type DT, materialize, makeTensor, show } from "./spec";

/** One entry point of the package: a function, a class, or a Tensor method / getter / setter. */
export interface Callable {
  path: string;       // "zeros", "autograd.grad", "Tensor#add", "Tensor#get grad", "Tensor#set grad"
  name: string;       // the op name an error message must start with
  kind: "fn" | "new" | "method" | "get" | "set";
  arity: number;
}

export interface Call {
  id: number;
  path: string;
  recv?: TensorSpec;
  args: Spec[];
}

export type Klass =
  | "ok" | "typed"                                     // fine
  | "trap" | "engine" | "nonError" | "badMessage"      // a bad way to fail
  | "hang" | "crash" | "corrupt" | "badResult" | "wrong";

export const BAD: readonly Klass[] = ["trap", "engine", "nonError", "badMessage", "hang", "crash", "corrupt", "badResult", "wrong"];

export interface Outcome {
  id: number;
  klass: Klass;
  /** what went wrong, for the report (empty when fine) */
  detail: string;
  ms: number;
  /** further problems found by the checks after the call (sentinels, the small computation) */
  after: { klass: Klass; detail: string }[];
}

const isClass = (f: unknown): boolean =>
  typeof f === "function" && /^class\b/.test(Function.prototype.toString.call(f));

/** Members of Tensor.prototype that are TypeScript-private helpers, not API. */
const INTERNAL = new Set(["cacheData"]);

/** Every export (namespaces recursively) and every member of Tensor.prototype. */
export function enumerate(wg: Lib): Callable[] {
  const out: Callable[] = [];
  const seen = new Set<unknown>();
  const walk = (o: Record<string, unknown>, prefix: string): void => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const key of Object.keys(o).sort()) {
      const v = o[key];
      const path = prefix + key;
      if (typeof v === "function") {
        // Tensor's constructor wraps a raw core handle (internal); its methods are covered below
        if (v === wg.Tensor) continue;
        out.push({ path, name: key, kind: isClass(v) ? "new" : "fn", arity: (v as (...a: unknown[]) => unknown).length });
        if (isClass(v) && !((v as { prototype: unknown }).prototype instanceof Error)) {
          // a class from a namespace (a module, an optimiser): its static functions
          for (const s of Object.getOwnPropertyNames(v)) {
            const f = (v as unknown as Record<string, unknown>)[s];
            // a static reports itself as Class.name (`Embedding.fromPretrained: ...`)
            if (typeof f === "function" && !["length", "name", "prototype"].includes(s)) out.push({ path: `${path}.${s}`, name: `${key}.${s}`, kind: "fn", arity: (f as () => void).length });
          }
        }
      } else if (v !== null && typeof v === "object" && !(v instanceof wg.Tensor)) {
        walk(v as Record<string, unknown>, path + ".");
      }
    }
  };
  walk(wg as unknown as Record<string, unknown>, "");
  const proto = wg.Tensor.prototype as unknown as Record<string | symbol, unknown>;
  const keys: (string | symbol)[] = [...Object.getOwnPropertyNames(proto).sort(), ...Object.getOwnPropertySymbols(proto)];
  for (const key of keys) {
    if (key === "constructor" || INTERNAL.has(key as string)) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    const name = typeof key === "symbol" ? (key.description ?? "symbol").replace(/^Symbol\./, "") : key;
    const label = typeof key === "symbol" ? `[${key.description}]` : key;
    if (typeof d.value === "function") out.push({ path: `Tensor#${label}`, name, kind: "method", arity: (d.value as () => void).length });
    if (d.get) out.push({ path: `Tensor#get ${label}`, name, kind: "get", arity: 0 });
    if (d.set) out.push({ path: `Tensor#set ${label}`, name, kind: "set", arity: 1 });
  }
  return out;
}

function resolve(wg: Lib, c: Callable): { fn: (...a: unknown[]) => unknown; self: unknown } {
  const parts = c.path.split(".");
  let self: unknown = undefined;
  let v: unknown = wg;
  for (const p of parts) { self = v; v = (v as Record<string, unknown>)[p]; }
  return { fn: v as (...a: unknown[]) => unknown, self };
}

function protoKey(wg: Lib, c: Callable): string | symbol {
  const label = c.path.replace(/^Tensor#(get |set )?/, "");
  if (label.startsWith("[")) {
    const desc = label.slice(1, -1);
    return Object.getOwnPropertySymbols(wg.Tensor.prototype).find((s) => s.description === desc)!;
  }
  return label;
}

export function showCall(c: Callable, call: Call): string {
  const args = call.args.map(show).join(", ");
  if (c.kind === "fn") return `${c.path}(${args})`;
  if (c.kind === "new") return `new ${c.path}(${args})`;
  const recv = show(call.recv!);
  const key = c.path.replace(/^Tensor#(get |set )?/, "");
  const member = key.startsWith("[") ? key : `.${key}`;
  if (c.kind === "get") return `${recv}${member}`;
  if (c.kind === "set") return `${recv}${member} = ${args}`;
  return `${recv}${member}(${args})`;
}

// ---- sentinels ----------------------------------------------------------------------------

interface Sentinel { t: Tensor; vals: number[]; shape: number[]; dtype: string; rg: boolean; grad: number[] | null }

const snapshot = (t: Tensor): Sentinel => ({
  t, vals: Array.from(t.dataSync()), shape: t.shape.slice(), dtype: t.dtype, rg: t.requiresGrad,
  grad: t.grad ? Array.from(t.grad.dataSync()) : null,
});

const same = (a: readonly number[] | null, b: readonly number[] | null): boolean =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => Object.is(x, b[i])));

export class Harness {
  sentinels: Sentinel[] = [];
  readonly dts: DT[];
  readonly callables: Callable[];
  private readonly byPath: Map<string, Callable>;

  constructor(readonly wg: Lib, readonly budgetMs = 1500) {
    this.dts = (["float32", "float64", "int32", "bool"] as DT[]).filter((dt) => {
      try { wg.zeros([1], { dtype: dt }).dispose(); return true; } catch { return false; }
    });
    this.callables = enumerate(wg);
    this.byPath = new Map(this.callables.map((c) => [c.path, c]));
    this.makeSentinels();
    this.quiet();
  }

  /** print() writes nowhere during the battery. */
  quiet(): void {
    const set = (this.wg as unknown as Record<string, unknown>).setPrintSink;
    if (typeof set === "function") set(() => {});
  }

  callable(path: string): Callable { return this.byPath.get(path)!; }

  makeSentinels(): void {
    const wg = this.wg;
    const made: Tensor[] = [];
    const list: Tensor[] = [];
    for (const dt of this.dts) {
      list.push(makeTensor(wg, { k: "t", dt, shape: [2, 3] }, made), makeTensor(wg, { k: "t", dt, shape: [] }, made));
    }
    list.push(wg.tensor([1.5, -2, 3, 0.25]), wg.zeros([0, 3]));
    const g = wg.tensor([1, 2], { requiresGrad: true });
    g.mul(g).add(g).sum().backward(); // g.grad = 2g + 1 = [3, 5]
    list.push(g);
    this.sentinels = list.map(snapshot);
  }

  /** Problems with the sentinels or with a fresh computation; rebuilds the sentinels if damaged. */
  check(): { klass: Klass; detail: string }[] {
    const wg = this.wg;
    const bad: { klass: Klass; detail: string }[] = [];
    try {
      if (!wg.isGradEnabled()) bad.push({ klass: "corrupt", detail: "grad mode left disabled" });
      for (const s of this.sentinels) {
        const now = snapshot(s.t);
        if (!same(now.vals, s.vals) || !same(now.shape, s.shape) || now.dtype !== s.dtype || now.rg !== s.rg || !same(now.grad, s.grad)) {
          bad.push({ klass: "corrupt", detail: `sentinel ${s.dtype} ${JSON.stringify(s.shape)} ${JSON.stringify(s.vals)} grad ${JSON.stringify(s.grad)} became ${JSON.stringify(now.shape)} ${JSON.stringify(now.vals)} grad ${JSON.stringify(now.grad)}` });
          break;
        }
      }
    } catch (e) {
      bad.push({ klass: "corrupt", detail: `reading a sentinel threw ${describeThrown(e)}` });
    }
    try {
      const a = wg.tensor([1, 2, 3], { requiresGrad: true }), b = wg.tensor([4, 5, 6], { requiresGrad: true });
      const y = a.mul(b).add(1).sum();
      y.backward();
      const got = [y.item(), ...a.grad!.dataSync(), ...b.grad!.dataSync()];
      if (!same(got, [35, 4, 5, 6, 1, 2, 3])) bad.push({ klass: "corrupt", detail: `(a*b+1).sum().backward() gave ${JSON.stringify(got)}` });
      for (const t of [a, b, y]) t.dispose();
    } catch (e) {
      bad.push({ klass: "corrupt", detail: `(a*b+1).sum().backward() threw ${describeThrown(e)}` });
    }
    if (bad.length) {
      try { this.makeSentinels(); } catch { /* reported already */ }
    }
    return bad;
  }

  /** Runs one call; the checks after it run unless `check` is false. */
  async run(call: Call, check = true): Promise<Outcome> {
    const wg = this.wg;
    const c = this.byPath.get(call.path)!;
    const made: Tensor[] = [];
    let recv: Tensor | undefined, args: unknown[];
    try {
      recv = call.recv ? makeTensor(wg, call.recv, made) : undefined;
      args = call.args.map((s) => materialize(wg, s, made));
    } catch (e) {
      return { id: call.id, klass: "wrong", detail: `making the arguments threw ${describeThrown(e)}`, ms: 0, after: check ? this.check() : [] };
    }
    const t0 = performance.now();
    let threw = false, thrown: unknown, result: unknown;
    try {
      result = this.invoke(c, recv, args);
      if (result !== null && typeof result === "object" && typeof (result as Promise<unknown>).then === "function") {
        result = await Promise.race([
          result as Promise<unknown>,
          new Promise((_, rej) => setTimeout(() => rej(new HangSignal()), this.budgetMs)),
        ]);
      }
    } catch (e) {
      threw = true;
      thrown = e;
    }
    const ms = performance.now() - t0;
    let klass: Klass = "ok", detail = "";
    if (threw && thrown instanceof HangSignal) {
      klass = "hang"; detail = `the returned promise did not settle within ${this.budgetMs} ms`;
    } else if (ms > this.budgetMs) {
      klass = "hang"; detail = `took ${Math.round(ms)} ms (budget ${this.budgetMs} ms)`;
    } else if (threw) {
      [klass, detail] = classifyThrown(wg, thrown, c.name);
      // an error class given a Symbol (or a value whose toString throws) fails as Error itself does
      if (klass === "engine" && c.kind === "new" && sameAsError(args, thrown)) { klass = "ok"; detail = ""; }
    } else if (!args.includes(result)) {
      detail = this.checkResult(result);
      if (detail) klass = "badResult";
    }
    // state a call may legitimately change: put it back
    if (c.name === "setGradEnabled" || c.name === "noGrad" || c.name === "enableGrad") wg.setGradEnabled(true);
    if (c.name === "setMemoryOptions") wg.setMemoryOptions({ gcHeapBytes: 12 << 20 });
    if (c.name === "setPrintSink") this.quiet();
    for (const t of made) try { t.dispose(); } catch { /* ignore */ }
    if (result instanceof wg.Tensor && !this.sentinels.some((s) => s.t === result)) try { result.dispose(); } catch { /* ignore */ }
    return { id: call.id, klass, detail, ms, after: check ? this.check() : [] };
  }

  private invoke(c: Callable, recv: Tensor | undefined, args: unknown[]): unknown {
    if (c.kind === "fn") { const { fn, self } = resolve(this.wg, c); return fn.apply(self, args); }
    if (c.kind === "new") { const { fn } = resolve(this.wg, c); return Reflect.construct(fn, args); }
    const key = protoKey(this.wg, c);
    const r = recv as unknown as Record<string | symbol, unknown>;
    if (c.kind === "get") return r[key];
    if (c.kind === "set") { r[key] = args[0]; return undefined; }
    return (r[key] as (...a: unknown[]) => unknown)(...args);
  }

  /** A returned tensor must be usable: a valid shape, and its values readable. */
  private checkResult(result: unknown): string {
    const wg = this.wg;
    const tensors: Tensor[] = [];
    if (result instanceof wg.Tensor) tensors.push(result);
    else if (Array.isArray(result)) for (const x of result) if (x instanceof wg.Tensor) tensors.push(x);
    for (const t of tensors) {
      if (t.isDisposed) continue;
      const shape = t.shape;
      if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) return `returned a tensor with shape ${JSON.stringify(shape)}`;
      const n = shape.reduce((a, b) => a * b, 1);
      if (n > 2 ** 31 - 1) return `returned a tensor of shape ${JSON.stringify(shape)} (${n} elements, more than the 2**31-1 supported)`;
      if (n <= 1 << 16) {
        try {
          const v = t.dataSync();
          if (v.length !== n) return `returned a tensor of shape ${JSON.stringify(shape)} whose dataSync() has ${v.length} values`;
        } catch (e) {
          return `returned a tensor of shape ${JSON.stringify(shape)} whose dataSync() throws ${describeThrown(e)}`;
        }
      }
    }
    return "";
  }
}

class HangSignal extends Error {}

function sameAsError(args: unknown[], thrown: unknown): boolean {
  try { Reflect.construct(Error, args); } catch (e) { return (e as object).constructor === (thrown as object).constructor; }
  return false;
}

export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.slice(0, 200)}`;
  return `a non-Error value (${typeof e}: ${String(e)})`;
}

/** What kind of failure `e` is, given the op it came from. */
export function classifyThrown(wg: Lib, e: unknown, name: string): [Klass, string] {
  if (e instanceof WebAssembly.RuntimeError) return ["trap", describeThrown(e)];
  if (e instanceof wg.WasmgradError) {
    const m = e.message;
    const ok = m.startsWith(name) && !/[A-Za-z0-9]/.test(m.charAt(name.length));
    return ok ? ["typed", ""] : ["badMessage", `${describeThrown(e)} (expected the message to start with "${name}:")`];
  }
  if (e instanceof Error) return ["engine", describeThrown(e)];
  return ["nonError", describeThrown(e)];
}
