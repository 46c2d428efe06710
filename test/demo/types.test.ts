// The demo pages are TypeScript that the demo server bundles on the fly (esbuild strips types
// without checking them), so a type error in them would only show when someone reads the code:
// this compiles them against the library's sources, strictly.

import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

test("the demo pages type-check (demo/tsconfig.json, strict)", () => {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  let out = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", join(root, "demo/tsconfig.json")], { cwd: root, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(out).toBe("");
}, 120_000);
