// Serves a built app's directory on 127.0.0.1 and opens it in headless Chromium (the launch
// arguments of test/browser.test.ts); the page sets `window.result` when it is done.

import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";

const chromiumPath = process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const mimeTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8", ".wasm": "application/wasm",
};

export interface PageRun {
  /** What the page stored in window.result. */
  result: unknown;
  /** Console lines, page errors and failed requests. */
  logs: string[];
  /** Paths the page requested, with their HTTP status. */
  requests: string[];
}

function serve(dir: string, requests: string[]): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    const ok = file.startsWith(dir) && existsSync(file) && statSync(file).isFile() && extname(file) in mimeTypes;
    requests.push(`${path} ${ok ? 200 : 404}`);
    if (!ok) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    res.writeHead(200, { "content-type": mimeTypes[extname(file)]!, "cache-control": "no-store" }).end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** Opens dir/index.html and waits for `window.result`. */
export async function runPage(dir: string): Promise<PageRun> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it (as root: \`apt-get update && apt-get install -y chromium\`); .ci/run does this`);
  }
  const requests: string[] = [];
  const logs: string[] = [];
  const { server, origin } = await serve(dir, requests);
  const userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on("console", (m) => logs.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
    page.on("requestfailed", (r) => logs.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    await page.goto(`${origin}/`);
    try {
      await page.waitForFunction(() => "result" in window, null, { timeout: 30_000 });
    } catch (e) {
      throw new Error(`the page did not finish: ${(e as Error).message}\n${logs.join("\n")}\n${requests.join("\n")}`);
    }
    const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
    return { result, logs, requests };
  } finally {
    await context.close().catch(() => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * The app every bundler test builds: d/dw of sum(w * w + 3 w) at w = [1, 2, 3] is 2 w + 3 = [5, 7, 9].
 * `initArg` is the expression passed to init() (empty: the bundle finds release.wasm itself).
 */
export const appSource = (imports: string, initArg: string): string => `${imports}
import { init, tensor, mul, add } from "wasmgrad";
try {
  await init(${initArg});
  const w = tensor([1, 2, 3], { requiresGrad: true });
  add(mul(w, w), mul(3, w)).sum().backward();
  window.result = { grad: w.grad.toArray(), text: String(w.grad) };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
`;

export const expectedResult = { grad: [5, 7, 9], text: "tensor([5., 7., 9.])" };
