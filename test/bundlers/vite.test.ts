// A Vite app that imports the packed tarball, built with `vite build` and run in headless Chromium.
// Vite resolves "wasmgrad" to the browser bundle (the "browser" export condition) and, because the
// bundle locates its core with `new URL("./release.wasm", import.meta.url)`, emits release.wasm as
// an asset: `await init()` needs no argument. The second app passes the URL explicitly
// (`import wasmUrl from "wasmgrad/release.wasm?url"`), as an app that serves the file elsewhere would.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "vite";
import { packAndInstall, type Installed } from "../helpers/pack.js";
import { appSource, expectedResult, runPage } from "./chromium.js";

let pkg: Installed | undefined;
beforeAll(() => { pkg = packAndInstall("vite"); }, 180_000);
afterAll(() => pkg?.cleanup());

async function viteApp(name: string, source: string): Promise<string> {
  const dir = join(pkg!.project, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, "main.js"), source);
  await build({ root: dir, configFile: false, logLevel: "error", build: { outDir: join(dir, "dist"), target: "es2022" } });
  return join(dir, "dist");
}

describe("Vite", () => {
  test("vite build: init() with no argument finds the emitted release.wasm; the gradient is right", async () => {
    const dist = await viteApp("plain", appSource("", ""));
    const assets = readdirSync(join(dist, "assets"));
    expect(assets.some((f) => /^release-[\w-]+\.wasm$/.test(f)), assets.join(", ")).toBe(true);
    const { result, logs } = await runPage(dist);
    expect(result, logs.join("\n")).toEqual(expectedResult);
  }, 180_000);

  test("vite build: init(url) with the ?url import of wasmgrad/release.wasm", async () => {
    const dist = await viteApp("url", appSource('import wasmUrl from "wasmgrad/release.wasm?url";', "wasmUrl"));
    const { result, logs, requests } = await runPage(dist);
    expect(result, logs.join("\n")).toEqual(expectedResult);
    expect(requests.filter((r) => r.includes(".wasm"))).toEqual([expect.stringMatching(/^\/assets\/release-[\w-]+\.wasm 200$/)]);
  }, 180_000);
});
