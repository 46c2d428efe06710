// The digit page's memory over a long run in headless Chromium: trains without end (one batch per
// animation frame, each inside tidy() as the page does by default, or with --no-tidy left to the
// library's automatic release) and reports the WASM memory size, live tensors and their
// bytes every --every seconds, and the peaks at the end.
//   node scripts/demo-memory.mjs [--minutes 10] [--every 30] [--no-tidy] [--model cnn|mlp]
// Needs a current build/ (npm run build) and Chromium at /usr/bin/chromium (or WASMGRAD_CHROMIUM).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildDemo, startDemoServer } from "./demo-server.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const minutes = Number(arg("minutes", "10"));
const every = Number(arg("every", "30"));
const tidy = !process.argv.includes("--no-tidy");
const model = arg("model", "cnn");

const compiled = await buildDemo({ write: false });
const { server, url } = await startDemoServer({ port: 0, compiled });
const userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-demo-memory-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium", headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const mb = (b) => (b / 2 ** 20).toFixed(1);
try {
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${url}digits.html?epochs=1000000&autostart=1&model=${model}&tidy=${tidy ? 1 : 0}`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
  console.log(`digit page, ${model}, ${tidy ? "tidy() each batch" : "no tidy"}, ${minutes} min, sampled every ${every} s`);
  console.log("  time  epochs  batches  accuracy  WASM MB  live tensors  live MB  JS heap MB");
  const t0 = Date.now();
  let s;
  while (true) {
    const left = t0 + minutes * 60_000 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(every * 1000, left))));
    s = await page.evaluate(() => ({ ...window.digits.state, js: performance.memory?.usedJSHeapSize ?? 0 }));
    const acc = s.accuracies.length ? (100 * s.accuracies[s.accuracies.length - 1]).toFixed(1) : "-";
    console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(6)}  ${String(s.epoch).padStart(6)}  ${String(s.batches).padStart(7)}  ${acc.padStart(8)}  ${mb(s.memory.now.wasmBytes).padStart(7)}  ${String(s.memory.now.tensors).padStart(12)}  ${mb(s.memory.now.bytes).padStart(7)}  ${mb(s.js).padStart(10)}`);
    if (left <= every * 1000) break;
  }
  console.log(`peak: WASM memory ${mb(s.memory.peak.wasmBytes)} MB, live tensors ${s.memory.peak.tensors}, ${mb(s.memory.peak.bytes)} MB of tensor data (${s.batches} batches)`);
  if (errors.length) console.log(`page errors:\n${errors.join("\n")}`);
} finally {
  await context.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
