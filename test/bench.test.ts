// The benchmark keeps running: a short pass of `npm run bench` must finish, agree with its peers
// on the trained weight, and print its table. (Speed is judged by people reading the full run,
// never by a test.)
import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

test("npm run bench -- --quick runs every peer and checks they agree", () => {
  const script = `${root}build/bench/lesson.bench.js`;
  expect(existsSync(script), "run `npm run build` first (npm test does)").toBe(true);
  const out = execFileSync(process.execPath, ["--expose-gc", script, "--quick"], { encoding: "utf8", cwd: root });
  expect(out).toMatch(/spread .* ok/);
  expect(out).not.toMatch(/FAIL/);
  for (const peer of ["wasmgrad", "tfjs-cpu", "tfjs-wasm"]) expect(out).toMatch(new RegExp(`^${peer} +[0-9.]+ `, "m"));
}, 120_000);
