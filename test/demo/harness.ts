// Starts the demo server (scripts/demo-server.mjs, on a free port) and headless Chromium with the
// launch arguments of test/browser.test.ts, and collects what each page logs. Screenshots go to
// test-output/demo/ (gitignored).

import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import { chromium, type BrowserContext, type Page } from "playwright-core";
// @ts-expect-error: a plain .mjs script, typed where it is used
import { buildDemo, docsDir as findDocs, startDemoServer, root as repoRoot } from "../../scripts/demo-server.mjs";

export const root: string = repoRoot;
/** The API reference folder (`npm run docs`), if it has been built. */
export const docsDir = findDocs as () => string | undefined;
export const outDir = join(root, "test-output", "demo");
const chromiumPath = process.env.WASMGRAD_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export type Served = { path: string; status: number; type: string };

export interface Demo {
  url: string;
  served: Served[];
  context: BrowserContext;
  /** Opens a page of the demo; `logs` collects its console messages, page errors and failed requests. */
  open(path: string, opts?: { width?: number; height?: number }): Promise<{ page: Page; logs: string[] }>;
  close(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (Debian package chromium)`);
  for (const f of ["build/wasmgrad.browser.js", "build/release.wasm"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  mkdirSync(outDir, { recursive: true });
  const compiled = await buildDemo({ write: false });
  const served: Served[] = [];
  const { server, url } = (await startDemoServer({ port: 0, compiled, onRequest: (r: Served) => served.push(r) })) as { server: Server; url: string };
  const userDataDir = mkdtempSync(join(tmpdir(), "wasmgrad-demo-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000,
    viewport: { width: 1280, height: 1000 },
  });
  return {
    url, served, context,
    async open(path, opts) {
      const page = await context.newPage();
      if (opts) await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 1000 });
      const logs: string[] = [];
      page.on("console", (m) => logs.push(`console.${m.type()}: ${m.text()}`));
      page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
      page.on("requestfailed", (r) => logs.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
      await page.goto(url + path);
      return { page, logs };
    },
    async close() {
      await context.close().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Console errors and warnings, page errors and failed requests (what a page must not have). */
export function problems(logs: string[]): string[] {
  return logs.filter((l) => !l.startsWith("console.log:") && !l.startsWith("console.info:") && !l.startsWith("console.debug:"));
}
