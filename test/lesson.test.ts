// The main demo prints exactly what PyTorch prints for the same program (test/fixtures/lesson.py).
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

test("npm start's demo output is byte-identical to PyTorch's", () => {
  const script = `${root}build/examples/linear-regression.js`;
  expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
  const want = readFileSync(`${root}test/fixtures/lesson.stdout.txt`, "utf8");
  expect(out.split("\n").length).toBe(want.split("\n").length);
  expect(out).toBe(want);
});
