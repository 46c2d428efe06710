// The browser bundle in a cross-origin-isolated page (COOP + COEP headers) in real headless
// Chromium: init() picks a threads build, kernels split across Web Workers, and the results are
// the bits of one thread. The page that is not isolated is test/browser.test.ts.
import { afterAll, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { chromium, type BrowserContext } from "playwright-core";

const root = fileURLToPath(new URL("../..", import.meta.url));
const chromiumPath = process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const page = `<!doctype html><meta charset="utf-8"><script type="module">
  import * as wg from "./wasmgrad.browser.js";
  const bits = (t) => Array.from(new Uint32Array(t.toFloat32Array().buffer));
  try {
    await wg.init();
    const isolated = crossOriginIsolated, threads = wg.getNumThreads();
    wg.manualSeed(1);
    const a = wg.randn([300, 300]), b = wg.randn([300, 300]), x = wg.randn([1 << 18]);
    const run = () => [wg.matmul(a, b), x.exp(), x.sum()].map(bits);
    wg.setNumThreads(1);
    const one = JSON.stringify(run());
    wg.setNumThreads(2);
    run();
    await new Promise((r) => setTimeout(r, 500)); // the Web Workers start
    const two = JSON.stringify(run());
    window.result = { isolated, threads, same: one === two, error: null };
  } catch (e) {
    window.result = { error: String(e?.stack ?? e) };
  }
</script>`;
const served: string[] = [];
let server: Server | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;

afterAll(async () => {
  await context?.close().catch(() => {});
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test("an isolated page runs a threads build on Web Workers, with one thread's results", async () => {
  expect(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}`).toBe(true);
  server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1) || "index.html";
    served.push(name);
    const isolation = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
    if (name === "index.html") return res.writeHead(200, { "content-type": "text/html", ...isolation }).end(page);
    const file = join(root, "build", name);
    if (!/^[\w.-]+\.(js|wasm|map)$/.test(name) || !existsSync(file)) return res.writeHead(404).end();
    const type = name.endsWith(".wasm") ? "application/wasm" : name.endsWith(".js") ? "text/javascript" : "application/json";
    res.writeHead(200, { "content-type": type, ...isolation }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000,
  });
  const p = context.pages()[0] ?? await context.newPage();
  const logs: string[] = [];
  p.on("console", (m) => logs.push(`console.${m.type()}: ${m.text()}`));
  p.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  await p.goto(`http://127.0.0.1:${port}/`);
  await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
  const result = await p.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
  expect(result.error, logs.join("\n")).toBeNull();
  expect(result).toMatchObject({ isolated: true, same: true });
  expect(result.threads).toBeGreaterThanOrEqual(1);
  expect(served.filter((f) => f.endsWith(".wasm"))).toEqual(["release-relaxed-threads.wasm"]);
}, 120_000);
