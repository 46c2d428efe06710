// `npm start` runs examples/linear-regression.ts, which prints exactly what PyTorch 1.13 prints for
// the same program (test/fixtures/lesson.py, its output in test/fixtures/lesson.stdout.txt).
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

/** The script `npm start` runs after building: the last `node <file>` of its command. */
function startScript(): string {
  const start: string = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts.start;
  const m = /\bnode (\S+\.js)\s*$/.exec(start);
  if (!m) throw new Error(`package.json "start" does not end in \`node <file>.js\`: ${start}`);
  return `${root}${m[1]}`;
}

test("npm start's demo output is byte-identical to PyTorch's", () => {
  const script = startScript();
  expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
  const want = readFileSync(`${root}test/fixtures/lesson.stdout.txt`, "utf8");
  expect(want.startsWith("before, w=  4.0\n\tgrad: 1.0 2.0 -2.0\n")).toBe(true);
  expect(out.split("\n").length).toBe(want.split("\n").length);
  expect(out).toBe(want);
});
