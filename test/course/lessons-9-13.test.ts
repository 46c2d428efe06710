// Course lessons 9-13 (examples/lessonNN-*.ts) against their PyTorch originals
// (examples/torch/<same name>.py), as test/course/lessons.test.ts does for lessons 2-8. These train
// for minutes in full, so the test runs each with the arguments in ARGS (fewer epochs) and compares
// with the original run with the same arguments, stored by scripts/make_course_fixtures.py as
// test/fixtures/course/<name>.quick.stdout.txt, beside the same run in float64 from the same
// initial parameters (<name>.quick.float64.stdout.txt).
//
// The tolerance per lesson comes from that float64 run: the largest relative difference between
// the float32 and float64 printouts is what float32 rounding alone does over the run, and a port
// that rounds differently from torch (another summation order in a GEMM or a convolution) may be
// as far from torch's float32 run as either is from float64. The lessons print '%.3f' and '%.4f'
// formats, so on top of the relative tolerance a number may differ by one unit in its last printed
// place (a value that sits near a rounding boundary rounds the other way after any change in the
// last bits). Integers, which include the accuracies ('%d %%' of the 297 test digits, correct
// counts), must match exactly: in every stored run float64 gives the same integers as float32.
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import * as wg from "../../src/index.js";
import { compare } from "./compare.js";

const root = new URL("../..", import.meta.url).pathname;

interface Lesson {
  name: string;
  /** Arguments of both the port and the original in this test. */
  args: string[];
  /** Largest float32-vs-float64 relative difference of the stored runs (printed numbers as printed). */
  drift: number;
  /** Largest relative difference allowed between a port's number and torch's, besides one unit in the last printed place. */
  tol: number;
  /** nn modules the port needs; missing ones make the lesson a todo. */
  needs: string[];
}

const LESSONS: Lesson[] = [
  // 2 epochs. float64 prints the same text as float32 ('%.3f' losses, '%d %%' accuracies), so no
  // relative slack: one unit in the third decimal, accuracies exact.
  { name: "lesson09-softmax-classifier", args: ["--quick"], drift: 0, tol: 0, needs: ["Linear", "CrossEntropyLoss"] },
  // 2 epochs. Same as float64 again, to the printed digits.
  { name: "lesson10-basic-cnn", args: ["--quick"], drift: 0, tol: 0, needs: ["Conv2d", "MaxPool2d", "Linear"] },
  // 2 epochs per net. Measured drift 4.59e-3: the ResNet's last running loss of epoch 2 prints
  // 1.095 in float32 and 1.090 in float64 (its batches of 64 are few, and SGD with momentum on the
  // residual net amplifies the rounding of the first steps); tolerance 4x that, rounded up.
  { name: "lesson11-advanced-cnn", args: ["--quick"], drift: 4.59e-3, tol: 1.9e-2, needs: ["Conv2d", "MaxPool2d", "Linear"] },
  // The full run (15 epochs of each part, under a second). float64 prints the same '%.4f' and
  // '%.3f' losses and the same predicted strings.
  { name: "lesson12-basic-rnn", args: [], drift: 0, tol: 0, needs: ["RNNCell", "RNN", "Embedding", "Linear"] },
  // 2 epochs. The losses are printed in full (Python's repr of a float), so the drift is measured
  // on all their digits: 1.79e-8 (epoch 2 batch 1, loss=0.0109472964), tolerance 4x that, rounded up.
  { name: "lesson13-rnn-classifier", args: ["--quick"], drift: 1.8e-8, tol: 7.2e-8, needs: ["Embedding", "GRU", "Linear"] },
];

const variant = (args: string[]) => (args.length > 0 ? ".quick" : "");
const fixture = (name: string, variant: string) => readFileSync(`${root}test/fixtures/course/${name}${variant}.stdout.txt`, "utf8");
const nnNames = wg.nn as unknown as Record<string, unknown>;
const rnnUtils = (wg.nn.utils as unknown as { rnn?: Record<string, unknown> }).rnn ?? {};

for (const { name, args, drift, tol, needs } of LESSONS) {
  const missing = needs.filter((n) => typeof nnNames[n] !== "function").map((n) => `nn.${n}`);
  if (name.startsWith("lesson13") && typeof rnnUtils.packPaddedSequence !== "function") missing.push("nn.utils.rnn.packPaddedSequence");
  if (missing.length > 0) {
    test.todo(`${name}: waiting for ${missing.join(", ")}`);
    continue;
  }
  test(`${[name, ...args].join(" ")} prints PyTorch's numbers`, () => {
    const script = `${root}build/examples/${name}.js`;
    expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
    const out = execFileSync(process.execPath, [script, ...args], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });
    const want = fixture(name, variant(args));
    if (out === want) {
      console.log(`${name}: identical to torch's output`);
      return;
    }
    const r = compare(out, want, tol, "every");
    if (typeof r === "string") expect.fail(`${name}: ${r}`);
    console.log(`${name}: largest relative difference beyond the printed digits ${r.rel.toExponential(3)} (line ${r.line}: ${r.got} vs ${r.want}); tolerance ${tol}, float32-vs-float64 drift ${drift}`);
  }, 300_000);

  test(`${name}: the stored float64 run still drifts by the figure its tolerance is based on`, () => {
    const f64 = fixture(name, `${variant(args)}.float64`).replaceAll(", dtype=torch.float64", "");
    const r = compare(fixture(name, variant(args)), f64, 1, "every");
    if (typeof r === "string") expect.fail(`${name}: ${r}`);
    expect(r.rel).toBeLessThanOrEqual(drift);
    expect(r.rel).toBeGreaterThanOrEqual(drift * 0.9);
  });
}

test("the comparison allows one unit in the last printed place, not two, and integers exactly", () => {
  const want = "[1,     8] loss: 2.296\nAccuracy on test set: 13 %\nloss=0.0123456\n";
  expect(compare(want, want, 0, "every")).toEqual({ rel: 0, line: 0, got: "", want: "" });
  expect(compare("[1,     8] loss: 2.297\nAccuracy on test set: 13 %\nloss=0.0123456\n", want, 0, "every")).not.toBeTypeOf("string");
  expect(compare("[1,     8] loss: 2.298\nAccuracy on test set: 13 %\nloss=0.0123456\n", want, 0, "every")).toMatch(/line 1: 2.298/);
  expect(compare("[1,     8] loss: 2.296\nAccuracy on test set: 14 %\nloss=0.0123456\n", want, 0, "every")).toMatch(/integer 14 vs torch's 13/);
  expect(compare("[1,     8] loss: 2.296\nAccuracy on test set: 13 %\nloss=0.0123470\n", want, 1e-4, "every")).toMatch(/line 3/);
  expect(compare("[1,     8] loss: 2.296\nAccuracy on test set: 13 %\nloss=0.0123460\n", want, 1e-4, "every")).not.toBeTypeOf("string");
  expect(compare("[1,    8] loss: 2.296\nAccuracy on test set: 13 %\nloss=0.0123456\n", want, 0, "every")).toMatch(/line 1 differs in its words/);
});
