// The course examples (examples/lessonNN-*.ts) print what their PyTorch originals
// (examples/torch/<same name>.py) print: the same lines and words, and every number within a
// tolerance per lesson. The originals' output is stored by scripts/make_course_fixtures.py in
// test/fixtures/course/<name>.stdout.txt; for the lessons that use torch it also stores the same
// program run in float64 from the same initial parameters (<name>.float64.stdout.txt), and the
// largest relative difference between the two runs, the drift float32 rounding alone causes,
// sets the tolerance: a float32 port that rounds differently from torch (another summation order
// in a matmul or a reduction) may drift from torch's float32 run by about as much as either
// drifts from float64. Integers (epochs, batch indices) must match exactly.
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { compare } from "./compare.js";

const root = new URL("../..", import.meta.url).pathname;

interface Lesson {
  name: string;
  /** Largest float32-vs-float64 relative difference measured on the stored runs; null: no float32 in the lesson. */
  drift: number | null;
  /** Largest relative difference allowed between a port's number and torch's. */
  tol: number;
}

// Tolerances are 4x the measured drift (rounded up), the drift being the figure that
// scripts/make_course_fixtures.py printed for the stored fixtures; the test below re-measures it.
const LESSONS: Lesson[] = [
  // Python floats on both sides (float64 everywhere): the text must be identical.
  { name: "lesson02-linear-model", drift: null, tol: 0 },
  { name: "lesson03-gradient-descent", drift: null, tol: 0 },
  // Measured drift 7.23e-4, at epoch 977's loss 4.385e-7 (the squared residuals of a nearly
  // exact fit lose most of their float32 digits); the weights drift by 1e-8, the bias by 2.6e-5.
  { name: "lesson05-linear-regression-module", drift: 7.24e-4, tol: 3e-3 },
  // Measured drift 4.64e-7 (epoch 935's loss 1.13394).
  { name: "lesson06-logistic-regression", drift: 4.65e-7, tol: 1.9e-6 },
  // Measured drift 1.37e-7 (epoch 27's loss 0.653313).
  { name: "lesson07-multiple-dimension-input", drift: 1.38e-7, tol: 5.6e-7 },
  // Measured drift 2.08e-7 (epoch 75 batch 10's loss 0.607008).
  { name: "lesson08-dataloader", drift: 2.09e-7, tol: 8.4e-7 },
];

const fixture = (name: string, variant = "") => readFileSync(`${root}test/fixtures/course/${name}${variant}.stdout.txt`, "utf8");

for (const { name, drift, tol } of LESSONS) {
  test(`${name} prints PyTorch's numbers`, () => {
    const script = `${root}build/examples/${name}.js`;
    expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
    const out = execFileSync(process.execPath, [script], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });
    const want = fixture(name);
    if (tol === 0) expect(out).toBe(want);
    if (out === want) {
      console.log(`${name}: identical to torch's output`);
      return;
    }
    const r = compare(out, want, tol, "repr");
    if (typeof r === "string") expect.fail(`${name}: ${r}`);
    console.log(`${name}: largest relative difference ${r.rel.toExponential(3)} (line ${r.line}: ${r.got} vs ${r.want}); tolerance ${tol}, float32-vs-float64 drift ${drift}`);
  }, 120_000);

  if (drift !== null) {
    test(`${name}: the stored float64 run still drifts by the figure its tolerance is based on`, () => {
      const f64 = fixture(name, ".float64").replaceAll(", dtype=torch.float64", "");
      const r = compare(fixture(name), f64, 1, "repr");
      if (typeof r === "string") expect.fail(`${name}: ${r}`);
      expect(r.rel).toBeLessThanOrEqual(drift);
      expect(r.rel).toBeGreaterThan(drift * 0.9);
    });
  }
}

test("the comparison rejects a number off by twice the tolerance, other words and other integers", () => {
  const want = "0 0.6694208979606628\nw =  1.5\ny_pred =  tensor([[7.9994]])\n";
  expect(compare(want, want, 1e-6, "repr")).toEqual({ rel: 0, line: 0, got: "", want: "" });
  expect(compare("0 0.6694222368\nw =  1.5\ny_pred =  tensor([[7.9994]])\n", want, 1e-6, "repr")).toMatch(/line 1: .*relative difference/);
  expect(compare("0 0.6694209\nw =  1.5\ny_pred =  tensor([[7.9995]])\n", want, 1e-6, "repr")).not.toBeTypeOf("string");
  expect(compare("0 0.6694209\nw =  1.5\ny_pred =  tensor([[7.9996]])\n", want, 1e-6, "repr")).toMatch(/line 3/);
  expect(compare("1 0.6694208979606628\nw =  1.5\ny_pred =  tensor([[7.9994]])\n", want, 1e-6, "repr")).toMatch(/integer 1 vs torch's 0/);
  expect(compare("0 0.6694208979606628\nw = 1.5\ny_pred =  tensor([[7.9994]])\n", want, 1e-6, "repr")).toMatch(/line 2 differs in its words/);
  expect(compare("0 0.6694208979606628\n", want, 1e-6, "repr")).toMatch(/printed 2 lines/);
});

test("`npm run example -- <name>` runs build/examples/<name>.js, by full name or unique prefix", () => {
  const scripts = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts;
  expect(scripts.example).toMatch(/^npm run build && node examples\/lib\/run\.mjs$/);
  const run = (...args: string[]) => execFileSync(process.execPath, [`${root}examples/lib/run.mjs`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const want = fixture("lesson02-linear-model");
  expect(run("lesson02-linear-model")).toBe(want);
  expect(run("examples/lesson02-linear-model.ts")).toBe(want);
  expect(run("lesson02")).toBe(want);
  expect(() => run("lesson0")).toThrow(/matches lesson02-linear-model, lesson03-gradient-descent/);
  expect(() => run("no-such-lesson")).toThrow(/no example named "no-such-lesson"/);
});
