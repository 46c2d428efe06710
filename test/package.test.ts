// The package as a user gets it: `npm pack`, install the tarball into a fresh project outside
// the repository, and run the PyTorch lesson there through `import { tensor, mul, sub, print } from "wasmgrad"`.
// Packs what build/ holds now (`npm test` builds first; on its own, run `npm run build` before).

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packAndInstall, root, run, tscErrors, type Installed } from "./helpers/pack.js";

const fixture = readFileSync(join(root, "test/fixtures/lesson.stdout.txt"), "utf8");
const lessonJs = join(root, "test/browser/lesson.js");

let pkg: Installed | undefined;
let project = "";

beforeAll(() => {
  pkg = packAndInstall("pack");
  project = pkg.project;
  expect(existsSync(pkg.tarball)).toBe(true);
  for (const f of ["package.json", "build/index.js", "build/index.d.ts", "build/release.wasm", "build/wasmgrad.browser.js"]) {
    expect(pkg.files, `tarball lacks ${f}`).toContain(f);
  }
}, 180_000);

afterAll(() => pkg?.cleanup());

describe("installed from the packed tarball", () => {
  test("the lesson prints PyTorch's output byte for byte", () => {
    copyFileSync(lessonJs, join(project, "lesson.js"));
    writeFileSync(join(project, "main.mjs"), [
      'import { tensor, mul, sub, print, setPrintSink } from "wasmgrad";',
      'import { runLesson } from "./lesson.js";',
      "process.stdout.write(runLesson({ tensor, mul, sub, print, setPrintSink }));",
      "",
    ].join("\n"));
    const stdout = run(process.execPath, ["main.mjs"], { cwd: project });
    expect(stdout).toBe(fixture);
  });

  test("print writes Python's text to stdout, and formatPy gives it as a string", () => {
    const out = run(process.execPath, ["--input-type=module", "-e", [
      'import { print, formatPy, tensor } from "wasmgrad";',
      'print("progress", 0n, 9.094947017729282e-13, [1, "a"], true, null, tensor([1, 2]));',
      "print(formatPy(1e-5) === \"1e-05\");",
    ].join("\n")], { cwd: project });
    expect(out).toBe("progress 0 9.094947017729282e-13 [1.0, 'a'] True None tensor([1., 2.])\nTrue\n");
  });

  test('"wasmgrad" resolves to the installed package (Node entry, browser entry, wasm)', () => {
    const pkgDir = join(project, "node_modules/wasmgrad");
    const resolve = (spec: string, conditions: string[] = []) => run(process.execPath, [
      ...conditions.map((c) => `--conditions=${c}`), "--input-type=module",
      "-e", `process.stdout.write(import.meta.resolve(${JSON.stringify(spec)}))`,
    ], { cwd: project });
    expect(resolve("wasmgrad")).toBe(pathToFileURL(join(pkgDir, "build/index.js")).href);
    expect(resolve("wasmgrad", ["browser"])).toBe(pathToFileURL(join(pkgDir, "build/wasmgrad.browser.js")).href);
    expect(resolve("wasmgrad/browser")).toBe(pathToFileURL(join(pkgDir, "build/wasmgrad.browser.js")).href);
    expect(existsSync(join(pkgDir, "build/release.wasm"))).toBe(true);
    // init() is callable and idempotent on Node, where the import already loaded the core.
    const out = run(process.execPath, ["--input-type=module", "-e", [
      'import * as wg from "wasmgrad";',
      "await wg.init(); await wg.init();",
      "process.stdout.write(String(wg.tensor([1, 2]).mul(3)));",
    ].join("\n")], { cwd: project });
    expect(out).toBe("tensor([3., 6.])");
  });

  /** Type-checks a user's file beside the installed package with the repo's tsc; returns the errors. */
  const typeCheck = (moduleKind: string, resolution: string, lib = ["ES2022", "DOM"], extra: Record<string, unknown> = {}): string => {
    const name = `check-${resolution.toLowerCase()}-${lib.length}`;
    writeFileSync(join(project, `${name}.ts`), [
      'import { tensor, mul, sub, init, print, formatPy, setPrintSink, type Tensor, type PrintSink } from "wasmgrad";',
      "await init();",
      "const w: Tensor = tensor([1.0], { requiresGrad: true });",
      "const l: Tensor = sub(mul(2, w), 4).pow(2);",
      "l.backward();",
      "const g: number = w.grad!.item();",
      "// @ts-expect-error item() returns a number; if the types were lost (any), this line errs instead",
      "const s: string = w.item();",
      "const sink: PrintSink | null = setPrintSink(null);",
      "const text: string = formatPy([g, 1n]);",
      "print(g, s, sink, text);",
      "{",
      "  using t = tensor([1, 2]);",
      "  const n: number | undefined = t.shape[0];",
      "  // @ts-expect-error internal fields are not part of the published types",
      "  print(n, t._h);",
      "}",
      "",
    ].join("\n"));
    writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: moduleKind, moduleResolution: resolution, strict: true, noEmit: true,
        types: [], lib, ...extra,
      },
      files: [`${name}.ts`],
    }, null, 2));
    return tscErrors(project, `tsconfig.${name}.json`);
  };

  test("the installed types exist and type-check a user's file (moduleResolution: Bundler)", () => {
    expect(existsSync(join(project, "node_modules/wasmgrad/build/index.d.ts"))).toBe(true);
    expect(existsSync(join(project, "node_modules/wasmgrad/build/types/src/index.d.ts"))).toBe(true);
    expect(typeCheck("ESNext", "Bundler")).toBe("");
  }, 60_000);

  // NodeNext/Node16 resolution needs explicit extensions in the declarations' relative imports
  // (TS2834 otherwise, and every export silently becomes `any` under skipLibCheck).
  test("the installed types type-check a user's file (moduleResolution: NodeNext)", () => {
    expect(typeCheck("NodeNext", "NodeNext")).toBe("");
  }, 60_000);

  // A Node-only project: no DOM lib (and no @types/node either), noUncheckedIndexedAccess. File
  // paths are typed as `string | { readonly href: string }`, never as the DOM's URL.
  test("the installed types type-check without the DOM lib (lib ES2022, NodeNext, noUncheckedIndexedAccess)", () => {
    expect(typeCheck("NodeNext", "NodeNext", ["ES2022"], { noUncheckedIndexedAccess: true })).toBe("");
  }, 60_000);
});
