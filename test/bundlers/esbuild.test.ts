// An esbuild app that imports the packed tarball. esbuild copies no file that the code finds through
// `new URL(..., import.meta.url)`, so the app either imports the core with the "file" loader
// (`import wasmUrl from "wasmgrad/release.wasm"` + `init(wasmUrl)`) or copies release.wasm beside
// its output. The browser build runs in headless Chromium; the Node build (platform "node") runs
// in Node, where the core loads synchronously from release.wasm beside the output file.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { packAndInstall, run, type Installed } from "../helpers/pack.js";
import { appSource, expectedResult, runPage } from "./chromium.js";

let pkg: Installed | undefined;
beforeAll(() => { pkg = packAndInstall("esbuild"); }, 180_000);
afterAll(() => pkg?.cleanup());

describe("esbuild", () => {
  test('browser: the "file" loader gives the URL of release.wasm to init(); the gradient is right', async () => {
    const dir = join(pkg!.project, "web");
    mkdirSync(dir);
    writeFileSync(join(dir, "main.js"), appSource('import wasmUrl from "wasmgrad/release.wasm";', "wasmUrl"));
    const dist = join(dir, "dist");
    await build({
      absWorkingDir: dir, entryPoints: ["main.js"], bundle: true, format: "esm", platform: "browser", target: "es2022",
      outdir: dist, minify: true, loader: { ".wasm": "file" }, logLevel: "error",
    });
    writeFileSync(join(dist, "index.html"), '<!doctype html><script type="module" src="./main.js"></script>\n');
    expect(readdirSync(dist).some((f) => /^release-\w+\.wasm$/.test(f))).toBe(true);
    const { result, logs } = await runPage(dist);
    expect(result, logs.join("\n")).toEqual(expectedResult);
  }, 180_000);

  test("node: a bundled script loads release.wasm copied beside it", async () => {
    const dir = join(pkg!.project, "cli");
    mkdirSync(dir);
    writeFileSync(join(dir, "main.js"), appSource("const window = globalThis;", "")
      + "console.log(JSON.stringify(window.result));\n");
    await build({
      absWorkingDir: dir, entryPoints: ["main.js"], bundle: true, format: "esm", platform: "node", target: "node20",
      outfile: join(dir, "dist/main.mjs"), logLevel: "error",
    });
    copyFileSync(join(pkg!.project, "node_modules/wasmgrad/build/release.wasm"), join(dir, "dist/release.wasm"));
    const out = run(process.execPath, [join(dir, "dist/main.mjs")], { cwd: pkg!.tmp });
    expect(JSON.parse(out)).toEqual(expectedResult);
  }, 120_000);
});
