// Download size of the browser bundle: the one-file ESM bundle plus each .wasm it can load,
// raw and gzipped (level 9), against the budget of 100 KB (100,000 bytes) gzipped per pair.
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const BUDGET_GZIP = 100_000;

const measure = (file) => {
  const b = readFileSync(file);
  return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
};

/** Sizes of build/wasmgrad.browser.js and of every build/*.wasm the bundle names. */
export function bundleSizes(buildDir) {
  const js = `${buildDir}/wasmgrad.browser.js`;
  const text = readFileSync(js, "utf8");
  const wasmNames = [...new Set([...text.matchAll(/["'`]\.\/([\w.-]+\.wasm)["'`]/g)].map((m) => m[1]))];
  const bundle = measure(js);
  const wasm = wasmNames.filter((n) => existsSync(`${buildDir}/${n}`)).map((name) => ({ name, ...measure(`${buildDir}/${name}`) }));
  return { bundle, wasm, missing: wasmNames.filter((n) => !existsSync(`${buildDir}/${n}`)) };
}

/** Lines for the build output, one per wasm variant: raw and gzipped sizes and the total. */
export function sizeReport(buildDir) {
  const { bundle, wasm } = bundleSizes(buildDir);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const lines = [`wasmgrad.browser.js  ${kb(bundle.raw)} (${kb(bundle.gzip)} gzipped)`];
  for (const w of wasm) {
    const total = bundle.gzip + w.gzip;
    lines.push(`${w.name.padEnd(20)} ${kb(w.raw)} (${kb(w.gzip)} gzipped); with the bundle ${kb(total)} gzipped` +
      `${total > BUDGET_GZIP ? `: OVER the ${kb(BUDGET_GZIP)} budget` : ` of ${kb(BUDGET_GZIP)}`}`);
  }
  return lines;
}
