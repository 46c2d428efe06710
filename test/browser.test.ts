// The one-file browser bundle in real headless Chromium: a page loads build/wasmgrad.browser.js from
// <script type="module">, calls `await init()` (which fetches release.wasm beside the module) and runs
// the PyTorch lesson. Needs the Debian `chromium` package (.ci/run installs it) and a current build/.

import { afterAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = readFileSync(join(root, "test/fixtures/lesson.stdout.txt"), "utf8");
const chromiumPath = process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

// ---- a static server for the page (test/browser/) and the bundle (build/), side by side at "/"
const mimeTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
};
const servedDirs = [join(root, "test/browser"), join(root, "build"), join(root, "examples/lib")];
type Served = { path: string; status: number; type: string };
const served: Served[] = [];

function startServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const name = path === "/" ? "index.html" : path.slice(1);
    const ext = name.slice(name.lastIndexOf("."));
    // flat names only: nothing outside these directories can be reached
    const file = /^[\w.-]+$/.test(name) && !name.startsWith(".")
      ? servedDirs.map((d) => join(d, name)).find((f) => existsSync(f)) : undefined;
    if (!file || !(ext in mimeTypes)) {
      served.push({ path, status: 404, type: "" });
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    served.push({ path, status: 200, type: mimeTypes[ext] });
    res.writeHead(200, { "content-type": mimeTypes[ext], "cache-control": "no-store" }).end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

// ---- one browser and one loaded page for the whole file, started by the first test that needs it
type PageResult = { beforeInit: string | null; lesson: string | null; error: string | null };
type Env = { page: Page; result: PageResult; logs: string[] };
let server: Server | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;
let env: Promise<Env> | undefined;

async function start(): Promise<Env> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it (as root: \`apt-get update && apt-get install -y chromium\`); .ci/run does this`);
  }
  for (const f of ["build/wasmgrad.browser.js", "build/release.wasm"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  const s = await startServer();
  server = s.server;
  userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const logs: string[] = [];
  page.on("console", (m) => logs.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => logs.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  await page.goto(`${s.origin}/`);
  try {
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 });
  } catch (e) {
    throw new Error(`the test page did not finish loading: ${(e as Error).message}\n${logs.join("\n")}`);
  }
  const result = await page.evaluate(() => (window as unknown as { result: PageResult }).result);
  return { page, result, logs };
}

const setup = (): Promise<Env> => (env ??= start());

afterAll(async () => {
  await context?.close().catch(() => {});
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, 30_000);

describe("browser bundle in headless Chromium", () => {
  test("init() loads the core and the lesson prints PyTorch's output byte for byte", async () => {
    const { result, logs } = await setup();
    expect(result.error, logs.join("\n")).toBeNull();
    expect(result.lesson).toBe(fixture);
  }, 90_000);

  test("one build of the core is fetched beside the module, once, as application/wasm", async () => {
    await setup();
    // the page is not cross-origin isolated, so no threads build: relaxed SIMD where Chromium has it
    const wasm = served.filter((r) => r.path.endsWith(".wasm"));
    expect(wasm).toHaveLength(1);
    expect(wasm[0]).toMatchObject({ status: 200, type: "application/wasm" });
    expect(wasm[0].path).toMatch(/^\/release(-relaxed)?\.wasm$/);
    expect(served.filter((r) => r.status !== 200 && r.path !== "/favicon.ico")).toEqual([]);
  }, 90_000);

  test("using a tensor before init() throws an Error that says to call init()", async () => {
    const { result } = await setup();
    expect(result.beforeInit).toMatch(/^\w*Error: .*init\(\)/);
  }, 90_000);

  test("a broadcasting mistake throws an Error naming the op, and the library keeps working", async () => {
    const { page } = await setup();
    const out = await page.evaluate((expected) => {
      const wg = (window as unknown as { wg: any }).wg;
      const runLesson = (window as unknown as { runLesson: (w: unknown) => string }).runLesson;
      const a = wg.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
      const b = wg.tensor([1, 2, 3, 4]);
      const caught = (fn: () => unknown) => {
        try {
          fn();
          return null;
        } catch (e) {
          return {
            isError: e instanceof Error, isShapeError: e instanceof wg.ShapeError, isWasmgradError: e instanceof wg.WasmgradError,
            name: (e as Error).name, message: String((e as Error).message),
          };
        }
      };
      const fnForm = caught(() => wg.mul(a, b));
      const methodForm = caught(() => a.mul(b));
      // everything that existed before the error is intact, and new work (incl. backward) runs
      const aAfter = a.toArray();
      const bAfter = b.toArray();
      const y = wg.mul(a, wg.tensor([1, 2, 3]));
      y.sum().backward();
      return {
        fnForm, methodForm, aAfter, bAfter, y: y.toArray(), grad: a.grad.toArray(),
        lessonAgain: runLesson(wg) === expected,
      };
    }, fixture);
    for (const err of [out.fnForm, out.methodForm]) {
      expect(err).not.toBeNull();
      expect(err!.isError).toBe(true);
      expect(err!.isShapeError).toBe(true);
      expect(err!.isWasmgradError).toBe(true);
      expect(err!.message.startsWith("mul: cannot broadcast"), err!.message).toBe(true);
      expect(err!.message).not.toMatch(/unreachable|RuntimeError/);
    }
    expect(out.aAfter).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(out.bAfter).toEqual([1, 2, 3, 4]);
    expect(out.y).toEqual([[1, 4, 9], [4, 10, 18]]);
    expect(out.grad).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(out.lessonAgain).toBe(true);
  }, 90_000);

  // WasmgradError takes `name` from `new.target.name`, so the minified bundle must keep class names.
  test("errors keep their class name in the minified bundle (String(e) starts with \"ShapeError: mul:\")", async () => {
    const { page } = await setup();
    const text = await page.evaluate(() => {
      const wg = (window as unknown as { wg: any }).wg;
      try {
        wg.mul(wg.tensor([[1, 2, 3], [4, 5, 6]]), wg.tensor([1, 2, 3, 4]));
        return "no error";
      } catch (e) {
        return String(e);
      }
    });
    expect(text).toMatch(/^ShapeError: mul: cannot broadcast/);
  }, 90_000);
});
