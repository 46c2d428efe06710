// Builds everything a user or a test runs:
//   build/release.wasm          the AssemblyScript core (SIMD, -O3)
//   build/index.js (+ .d.ts)    the Node/ESM entry: loads release.wasm beside it on import
//   build/wasmgrad.browser.js   the same library as one minified ESM file for <script type="module">
//   build/examples/*.js, build/bench/*.js   runnable scripts that import "wasmgrad"
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { build } from "esbuild";
import { classNames } from "./class-names.mjs";
import { sizeReport } from "./sizes.mjs";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const bin = (name) => `${root}node_modules/.bin/${name}`;

mkdirSync(`${root}build`, { recursive: true });
run(bin("asc"), ["assembly/index.ts", "--target", "release"]);

const common = { bundle: true, format: "esm", sourcemap: true, logLevel: "warning", absWorkingDir: root };
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "build/index.js", platform: "neutral", target: "es2022" });
await build({
  ...common, entryPoints: ["src/index.ts"], outfile: "build/wasmgrad.browser.js", platform: "browser",
  target: "es2022", minify: true, plugins: [classNames],
});

run(bin("tsc"), ["-p", "tsconfig.json"]);
writeFileSync(`${root}build/index.d.ts`, 'export * from "./types/src/index.js";\n');

// Scripts import the package by name; Node resolves it to build/index.js through package.json.
const scripts = ["examples", "bench"].flatMap((dir) =>
  existsSync(`${root}${dir}`) ? readdirSync(`${root}${dir}`).filter((f) => f.endsWith(".ts")).map((f) => `${dir}/${f}`) : []);
if (scripts.length) {
  await build({
    ...common, entryPoints: scripts, outdir: "build", outbase: ".", platform: "node", target: "node20",
    packages: "external",
  });
}

// Download size of the browser bundle and each core it loads (test/bundlers/size.test.ts checks the budget).
for (const line of sizeReport(`${root}build`)) console.log(line);
