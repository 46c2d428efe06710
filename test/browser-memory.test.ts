// Automatic release in a real browser, where no GC can be forced: a training loop that yields
// between steps (as a page does) and never calls tidy() must stay in bounded WASM memory. Without
// the pressure signal of src/lifetime.ts this loop had reached 101 MB of WASM memory after 2,900
// steps (143 MB after 11,500) in Chromium; with it, 44-48 MB. Needs Debian's chromium and build/.

import { afterAll, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { chromium, type BrowserContext } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const chromiumPath = process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium";
const STEPS = 6000;
const LIMIT_MB = 64;

// An MLP step (x[64,256] -> 256 -> relu -> 10, cross-entropy, SGD) four times per task, yielding
// with setTimeout between tasks; nothing is disposed.
const page = `<!doctype html><script type="module">
import * as wg from "./wasmgrad.browser.js";
await wg.init();
const { tensor, randn, nn, optim, F } = wg;
const model = new nn.Sequential(new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const x = randn([64, 256]);
const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10), { dtype: "int32" });
let steps = 0, peak = 0;
window.stats = () => ({ steps, peak });
function task() {
  for (let k = 0; k < 4; k++) {
    opt.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    opt.step();
    steps++;
  }
  peak = Math.max(peak, wg.memory().wasmBytes);
  if (steps < ${STEPS}) setTimeout(task, 0);
}
task();
</script>`;

let server: Server | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;

afterAll(async () => {
  await context?.close();
  server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test(`a yielding MLP loop with no tidy stays under ${LIMIT_MB} MB of WASM memory for ${STEPS} steps in Chromium`, async () => {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium; .ci/run does this)`);
  server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1);
    if (name === "" || name === "index.html") return void res.writeHead(200, { "content-type": "text/html" }).end(page);
    if (name !== "wasmgrad.browser.js" && name !== "release.wasm") return void res.writeHead(404).end();
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    res.writeHead(200, { "content-type": type }).end(readFileSync(join(root, "build", name)));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-chromium-memory-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath, headless: true, timeout: 60_000,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const tab = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  await tab.goto(`http://127.0.0.1:${port}/`);
  await tab.waitForFunction((n) => (window as unknown as { stats?: () => { steps: number } }).stats?.().steps === n,
    STEPS, { timeout: 240_000, polling: 500 });
  const { peak } = await tab.evaluate(() => (window as unknown as { stats: () => { peak: number } }).stats());
  expect(errors).toEqual([]);
  console.log(`browser MLP loop, ${STEPS} steps, no tidy: peak WASM memory ${(peak / 2 ** 20).toFixed(1)} MB`);
  expect(peak / 2 ** 20).toBeLessThan(LIMIT_MB);
}, 300_000);
