// Seeded misuse battery. Thousands of calls over every export of the package (namespaces
// recursively) and every member of Tensor.prototype, with arguments drawn from a fixed seed: valid
// tensors of each dtype and odd shapes (0-d, empty, strided views), odd numbers (NaN, ±Infinity,
// -0, 2**31, 2**32+3, 1e300), BigInt, Symbol, null, undefined, strings, booleans, objects, nested,
// ragged, cyclic and 100k-deep arrays, functions, disposed and fake tensors, huge shapes.
//
// Each call must return normally or throw a WasmgradError whose message starts with the op's name:
// never a WASM trap, never an engine TypeError/RangeError, never a hang (a time budget per call)
// or a crash. After each call, sentinel tensors made at the start (each dtype, one with a .grad)
// must be unchanged, and a small op + backward must give the right numbers. A returned tensor must
// have a valid shape and readable values. Well-defined cases are checked against known answers.
// Calls with cyclic or deep arguments and the multi-gigabyte cases run in child processes (on
// build/index.js, which `npm test` builds first) with a time limit. The last test prints the
// counts per class and the distinct defects, and asserts that every bad class is empty.

import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSync } from "esbuild";
import * as wg from "../../src/index.js";
import { BAD, Harness, showCall, type Call, type Callable, type Klass, type Outcome } from "./runner";
import { planCalls, planHazards } from "./plan";
import { KNOWN } from "./known";
import { knownDefect } from "./known-defects";
import type { Lib } from "./spec";

// MISUSE_SEED=n draws other calls; MISUSE_ONLY=regex limits the battery to the entry points whose
// path matches (e.g. "^(new )?nn\\." while working on nn), for quicker runs.
const SEED = Number(process.env.MISUSE_SEED ?? 20240611);
const ONLY = process.env.MISUSE_ONLY ? new RegExp(process.env.MISUSE_ONLY) : null;
const RANDOM_PER_ENTRY = 24;
const HAZARD_BUDGET_MS = 2000;
// PyTorch does each of these in about a second where fresh memory is cheap. Where first touching
// memory is slow (a sandbox faulting in pages: 2.4 GB took 2.4 s to 25 s on the same machine from
// one minute to the next, and torch's own expand(6e8).contiguous() 17 s), the budget grows by what
// this machine needs at that time to write the result's bytes three times (the result, a
// contiguous copy on the way, and slack), measured in a fresh process at the result's own size: a
// smaller sample (256 MB) took well under a tenth of the time per byte.
const HEAVY_BUDGET_MS = 8000;

/** ms a fresh process on this machine takes to allocate and write `bytes` of float32s once. */
function freshMemoryMs(bytes: number): number {
  const code = `const t0 = performance.now(); const a = new Float32Array(${Math.ceil(bytes / 4)}); a.fill(1);
    console.log(a[a.length - 1] === 1 ? performance.now() - t0 : 0);`;
  return Number(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" }).trim());
}

const counts = Object.fromEntries(["ok", "typed", ...BAD].map((k) => [k, 0])) as Record<Klass, number>;
/** bad outcomes that match no entry of known-defects.ts: these must all be 0 */
const unknown = Object.fromEntries(BAD.map((k) => [k, 0])) as Record<Klass, number>;
/** bad outcomes that match a known defect, by core-defects.md entry */
const knownHits = new Map<string, number>();
let calls = 0;
/** distinct defects: class + op + kind of failure → first example */
const defects = new Map<string, { klass: Klass; op: string; call: string; detail: string; n: number; known: string | null }>();

/** Counts one outcome; a bad one is also noted, as known when it matches known-defects.ts. */
function count(klass: Klass, op: string, call: string, detail: string): void {
  counts[klass]++;
  if (!BAD.includes(klass)) return;
  const k = knownDefect(klass, op, detail);
  if (k) knownHits.set(k.entry, (knownHits.get(k.entry) ?? 0) + 1);
  else unknown[klass]++;
  const key = `${klass}|${op}|${detail.replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, "#").replace(/"[^"]*"/g, "\"…\"").slice(0, 90)}`;
  const d = defects.get(key);
  if (d) d.n++;
  else defects.set(key, { klass, op, call, detail, n: 1, known: k?.entry ?? null });
}

function record(h: Harness, call: Call, o: Outcome): void {
  calls++;
  const c = h.callable(call.path);
  const text = showCall(c, call);
  count(o.klass, call.path, text, o.detail);
  for (const a of o.after) count(a.klass, call.path, `after ${text}`, a.detail);
}

let harness: Harness;
beforeAll(() => { harness = new Harness(wg as unknown as Lib); });
const selected = (): Callable[] => harness.callables.filter((c) => !ONLY || ONLY.test(c.path));

describe("misuse battery", () => {
  test("entry points are found", () => {
    const paths = harness.callables.map((c) => c.path);
    expect(paths).toContain("zeros");
    expect(paths).toContain("Tensor#add");
    expect(paths).toContain("Tensor#get grad");
  });

  test("sweep and random calls (in process)", async () => {
    const plan = planCalls(selected(), harness.dts, SEED, RANDOM_PER_ENTRY);
    if (!ONLY) expect(plan.length).toBeGreaterThan(3000);
    for (const call of plan) record(harness, call, await harness.run(call));
  }, 600_000); // tens of thousands of calls: about two minutes on a quiet machine, more when shared

  test("known answers (in process)", () => {
    for (const k of KNOWN.filter((x) => !x.heavy && !ONLY)) {
      calls++;
      let res: string | null;
      try { res = k.run(wg as unknown as Lib); } catch (e) { res = `the check threw ${String(e)}`; }
      if (res === null) counts.ok++;
      else count("wrong", k.call, k.call, `${res}; expected ${k.expect}`);
      for (const a of harness.check()) count(a.klass, k.call, `after ${k.call}`, a.detail);
    }
  });

  test("cyclic and deep arguments, and multi-gigabyte cases (child processes, time-limited)", async () => {
    const pkg = fileURLToPath(new URL("../../build/index.js", import.meta.url));
    expect(existsSync(pkg), "build/index.js is missing: run `npm run build` first").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "wasmgrad-misuse-"));
    try {
      const script = join(dir, "child.mjs");
      buildSync({
        entryPoints: [fileURLToPath(new URL("./child.ts", import.meta.url))], bundle: true, format: "esm",
        platform: "node", target: "node20", outfile: script, logLevel: "warning",
      });
      const hazards = planHazards(selected(), harness.dts, SEED + 1, 1_000_000);
      const byId = new Map(hazards.map((c) => [c.id, c]));
      let rest = hazards.slice();
      while (rest.length) {
        const r = await runChild(script, dir, { pkg: new URL(`file://${pkg}`).href, calls: rest, known: [] }, HAZARD_BUDGET_MS);
        for (const o of r.outcomes) record(harness, byId.get(o.id)!, o);
        const done = new Set(r.outcomes.map((o) => o.id));
        if (r.stuck !== null) {
          const call = byId.get(Number(r.stuck))!;
          const o: Outcome = { id: call.id, klass: r.stuckHow, detail: r.stuckWhy, ms: 0, after: [] };
          record(harness, call, o);
          done.add(call.id);
        }
        const before = rest.length;
        rest = rest.filter((c) => !done.has(c.id));
        if (rest.length === before) throw new Error(`the child process made no progress: ${r.stderr.slice(-800)}`);
      }
      const freshMs = new Map<number, number>();
      for (const k of KNOWN.filter((x) => x.heavy && !ONLY)) {
        calls++;
        const bytes = k.bytes ?? 0;
        if (bytes && !freshMs.has(bytes)) freshMs.set(bytes, freshMemoryMs(bytes));
        const budget = Math.round(HEAVY_BUDGET_MS + 3 * (freshMs.get(bytes) ?? 0));
        const r = await runChild(script, dir, { pkg: new URL(`file://${pkg}`).href, calls: [], known: [k.call] }, budget);
        if (r.known.length) {
          const { res, after } = r.known[0];
          if (res === null) counts.ok++;
          else count("wrong", k.call, k.call, `${res}; expected ${k.expect}`);
          for (const a of after) count(a.klass, k.call, `after ${k.call}`, a.detail);
        } else {
          count(r.stuckHow, k.call, k.call, `${r.stuckWhy}; expected ${k.expect}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  afterAll(() => {
    const lines = [`misuse battery: ${calls} calls (seed ${SEED})`];
    for (const [k, n] of Object.entries(counts)) lines.push(`  ${k.padEnd(10)} ${n}`);
    const list = [...defects.values()].sort((a, b) => BAD.indexOf(a.klass) - BAD.indexOf(b.klass) || a.op.localeCompare(b.op));
    const fresh = list.filter((d) => d.known === null);
    if (fresh.length) {
      lines.push(`distinct defects: ${fresh.length}`);
      for (const d of fresh) lines.push(`  [${d.klass}] ${d.call} -> ${d.detail}${d.n > 1 ? ` (x${d.n})` : ""}`);
    }
    if (knownHits.size) {
      lines.push("known defects (core-defects.md), not counted by the final assertion:");
      for (const [entry, n] of knownHits) {
        lines.push(`  ${entry}: ${n}`);
        for (const d of list.filter((x) => x.known === entry).slice(0, 3)) lines.push(`    [${d.klass}] ${d.call} -> ${d.detail.slice(0, 200)}`);
      }
    }
    console.log(lines.join("\n"));
    if (process.env.MISUSE_DUMP) writeFileSync(process.env.MISUSE_DUMP, JSON.stringify({ counts, unknown, known: Object.fromEntries(knownHits), calls, defects: list }, null, 1));
  });
});

test("no traps, engine errors, hangs, crashes, damage or silent wrong results", () => {
  console.log(`misuse battery counts: ${JSON.stringify(counts)}`);
  console.log(`not known (must be 0): ${JSON.stringify(unknown)}; known defects: ${JSON.stringify(Object.fromEntries(knownHits))}`);
  if (!ONLY) expect(calls).toBeGreaterThan(3000);
  expect(unknown).toEqual(Object.fromEntries(BAD.map((k) => [k, 0])));
});

// ---- child processes ----------------------------------------------------------------------

interface ChildResult {
  outcomes: Outcome[];
  known: { name: string; res: string | null; after: { klass: Klass; detail: string }[] }[];
  /** the call that had started but not finished when the child was stopped or died */
  stuck: string | null;
  stuckHow: Klass;
  stuckWhy: string;
  stderr: string;
}

function runChild(script: string, dir: string, job: { pkg: string; calls: Call[]; known: string[] }, budgetMs: number): Promise<ChildResult> {
  const jobFile = join(dir, "job.json");
  writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, jobFile], { stdio: ["ignore", "pipe", "pipe"] });
    const res: ChildResult = { outcomes: [], known: [], stuck: null, stuckHow: "crash", stuckWhy: "", stderr: "" };
    let started: string | null = null, done = false, killed = false, buf = "";
    let timer = setTimeout(onTimeout, budgetMs * 2 + 2000); // the first call also loads the package
    function onTimeout(): void {
      killed = true;
      child.kill("SIGKILL");
    }
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (l.startsWith("S ")) {
          started = l.slice(2);
          clearTimeout(timer);
          timer = setTimeout(onTimeout, budgetMs);
        } else if (l.startsWith("R ")) {
          res.outcomes.push(JSON.parse(l.slice(2)) as Outcome);
          started = null;
        } else if (l.startsWith("K ")) {
          res.known.push(JSON.parse(l.slice(2)));
          started = null;
        } else if (l === "DONE") done = true;
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => { res.stderr = (res.stderr + c).slice(-4000); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (!done && started !== null) {
        res.stuck = started;
        res.stuckHow = killed ? "hang" : "crash";
        res.stuckWhy = killed ? `did not finish within ${budgetMs} ms` : `the process died (exit ${code}, ${signal ?? "no signal"}): ${res.stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 300)}`;
      }
      resolve(res);
    });
  });
}
