// The demo pages are TypeScript that the demo server bundles on the fly (esbuild strips types
// without checking them), so a type error in them would only show when someone reads the code:
// this compiles them against the library's sources, strictly.

import { test, expect } from "vitest";
import { root, tscErrors } from "../helpers/pack.js";

test("the demo pages type-check (demo/tsconfig.json, strict)", () => {
  expect(tscErrors(root, "demo/tsconfig.json")).toBe("");
}, 120_000);
