// Builds everything a user or a test runs:
//   build/release*.wasm         the AssemblyScript core (SIMD, -O3) in the variants of wasmVariants
//   build/index.js (+ .d.ts)    the Node/ESM entry: loads release.wasm beside it on import
//   build/wasmgrad.browser.js   the same library as one minified ESM file for <script type="module">
//   build/examples/*.js, build/bench/*.js   runnable scripts that import "wasmgrad"
import { execFileSync, execFile } from "node:child_process";
import { mkdirSync, writeFileSync, readdirSync, existsSync, readFileSync, statSync } from "node:fs";
import { promisify } from "node:util";
import { build } from "esbuild";
import { browserBundle } from "./bundle-options.mjs";
import { sizeReport } from "./sizes.mjs";
import { passiveSegments } from "./wasm-passive.mjs";
import { smallMathArgs } from "./asc-small-math.mjs";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const bin = (name) => `${root}node_modules/.bin/${name}`;

mkdirSync(`${root}build`, { recursive: true });

// The same core in four builds; src/wasm/probe.ts picks the best one the engine runs, release.wasm
// being the fallback everywhere. Kernels test ASC_FEATURE_RELAXED_SIMD / ASC_FEATURE_THREADS.
// Shared memory is imported (the loader creates it, initial pages as SHARED_INITIAL_PAGES there)
// with a 4 GiB maximum, the allocator's own limit, and is fresh (zeroed) when the core starts.
const threads = ["--importMemory", "--sharedMemory", "--zeroFilledMemory", "--initialMemory", "16", "--maximumMemory", "65536"];
const wasmVariants = [
  { out: "build/release.wasm", enable: "simd", flags: [] },
  { out: "build/release-relaxed.wasm", enable: "simd,relaxed-simd", flags: [] },
  { out: "build/release-threads.wasm", enable: "simd,threads", flags: threads },
  { out: "build/release-relaxed-threads.wasm", enable: "simd,relaxed-simd,threads", flags: threads },
];
// asc takes most of the build: a build whose inputs are older than its output is kept
const newest = (dir) => readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).reduce((t, e) => Math.max(t, statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs), 0);
const inputs = Math.max(newest("assembly"), ...["asconfig.json", "scripts/asc-small-math.mjs", "scripts/build.mjs", "scripts/wasm-passive.mjs"]
  .map((f) => statSync(`${root}${f}`).mtimeMs));
const stale = wasmVariants.filter(({ out }) => !existsSync(`${root}${out}`) || statSync(`${root}${out}`).mtimeMs < inputs);
await Promise.all(stale.map(async ({ out, enable, flags }) => {
  const args = ["assembly/index.ts", "--target", "release", "-o", out, "--enable", enable, ...smallMathArgs, ...flags];
  const { stderr } = await promisify(execFile)(bin("asc"), args, { cwd: root }).catch((e) => {
    process.stderr.write(e.stderr ?? "");
    throw new Error(`asc failed for ${out}`);
  });
  if (stderr) process.stderr.write(stderr);
  if (flags.length) writeFileSync(`${root}${out}`, passiveSegments(readFileSync(`${root}${out}`)));
}));

const common = { bundle: true, format: "esm", sourcemap: true, logLevel: "warning", absWorkingDir: root };
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "build/index.js", platform: "neutral", target: "es2022" });
await build({ ...common, ...browserBundle, outfile: "build/wasmgrad.browser.js" });

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
