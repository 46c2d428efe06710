// The package as a user gets it: `npm pack`, install the tarball into a fresh project outside
// the repository, and run the PyTorch lesson there through `import { tensor, mul, sub, print } from "wasmgrad"`.
// Packs what build/ holds now (`npm test` builds first; on its own, run `npm run build` before).

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = readFileSync(join(root, "test/fixtures/lesson.stdout.txt"), "utf8");
const lessonJs = join(root, "test/browser/lesson.js");
const tscJs = join(root, "node_modules/typescript/bin/tsc");

let tmp = "";
let project = "";
let tarball = "";

/** Runs a command and returns its stdout; on failure the error carries stdout and stderr. */
function run(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts }) as string;
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new Error(
      `\`${cmd} ${args.join(" ")}\` failed (exit ${err.status}):\n--- stdout\n${err.stdout ?? ""}\n--- stderr\n${err.stderr ?? ""}`);
  }
}

const npmEnv = () => ({ ...process.env, npm_config_cache: join(tmp, "npm-cache"), npm_config_update_notifier: "false" });

beforeAll(() => {
  for (const f of ["build/index.js", "build/index.d.ts", "build/release.wasm", "build/wasmgrad.browser.js"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  // Outside the repository, so "wasmgrad" cannot resolve to the repo itself.
  tmp = mkdtempSync(join(tmpdir(), "wasmgrad-pack-"));
  const packOut = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: root, env: npmEnv() });
  const [info] = JSON.parse(packOut) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(tmp, info.filename);
  expect(existsSync(tarball)).toBe(true);
  const packed = info.files.map((f) => f.path);
  for (const f of ["package.json", "build/index.js", "build/index.d.ts", "build/release.wasm", "build/wasmgrad.browser.js"]) {
    expect(packed, `tarball lacks ${f}`).toContain(f);
  }

  project = join(tmp, "project");
  run("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-wasmgrad", private: true, type: "module" }, null, 2));
  // wasmgrad has no runtime dependencies, so the install needs no network.
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: project, env: npmEnv() });
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

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
    try {
      execFileSync(process.execPath, [tscJs, "-p", `tsconfig.${name}.json`], { cwd: project, encoding: "utf8", stdio: "pipe" });
      return "";
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return `${err.stdout ?? ""}${err.stderr ?? ""}` || String(e);
    }
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
