// The lesson page: it runs the seed program with the one-file bundle, prints exactly what
// `npm start` prints, reaches PyTorch's final w, and draws its plots and graph.

import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { docsDir, outDir, problems, root, type Demo } from "./harness.js";

const fixture = readFileSync(join(root, "test/fixtures/lesson.stdout.txt"), "utf8");

type State = {
  epoch: number; sample: number; steps: number; done: boolean; playing: boolean; w: number; wBits: number;
  lossPoints: number; wPoints: number; console: string;
};

export function lessonPage(getDemo: () => Demo): void {
  let demo: Demo;
  let page: Page;
  let logs: string[];
  const state = (): Promise<State> => page.evaluate(() => (window as unknown as { lesson: { state: State } }).lesson.state);
  const graphText = (): Promise<string[]> => page.$$eval("#graph svg g.node text", (els) => els.map((e) => e.textContent ?? ""));

  beforeAll(async () => {
    demo = getDemo();
    ({ page, logs } = await demo.open("lesson.html"));
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 })
      .catch((e) => { throw new Error(`${e.message}\n${logs.join("\n")}`); });
  }, 60_000);

  afterAll(async () => {
    await page?.close();
  });

  test("is cross-origin isolated and served with the right MIME types", async () => {
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const byPath = new Map(demo.served.map((r) => [r.path, r]));
    // an isolated page can share memory with workers, so the loader picks a threads build of the core
    // (relaxed SIMD too where the engine has it): exactly one .wasm is fetched
    const wasm = demo.served.filter((r) => r.path.endsWith(".wasm"));
    expect(wasm).toHaveLength(1);
    expect(wasm[0]).toMatchObject({ status: 200, type: "application/wasm" });
    expect(wasm[0]!.path).toMatch(/^\/release(-relaxed)?-threads\.wasm$/);
    expect(byPath.get("/wasmgrad.browser.js")?.type).toBe("text/javascript; charset=utf-8");
    expect(demo.served.filter((r) => r.status !== 200 && r.path !== "/favicon.ico" && r.path !== "/docs/")).toEqual([]);
  });

  test("Step runs one sample and draws its graph with every node's value and gradient", async () => {
    await page.click("#step");
    const s = await state();
    expect(s).toMatchObject({ epoch: 0, sample: 1, steps: 1, wPoints: 2, lossPoints: 0 });
    expect(s.console).toBe(fixture.split("\n").slice(0, 2).join("\n") + "\n");
    const text = await graphText();
    // first sample: x = 1, y = 2, w = 1: x*w = 1, diff = -1, l = 1; grads 1, -2, -2, and w.grad = -2
    for (const label of ["MulBackward0", "SubBackward0", "PowBackward0", "AccumulateGrad", "w = 1.0", "x = 1.0", "y = 2.0",
      "x*w = 1.0", "x*w - y = -1.0", "(x*w - y)**2 = 1.0", "w.grad += -2.0", "l = 1.0"]) {
      expect(text, text.join(" | ")).toContain(label);
    }
    expect(text.filter((t) => t === "grad = -2.0")).toHaveLength(2); // into Mul and Sub
    expect(text).toContain("grad = 1.0"); // into Pow
    await page.click("#step");
    expect(await graphText()).toContain("x = 2.0");
  });

  test("Play runs the lesson to PyTorch's final w (float32 bits 0x3ffffffd), printing npm start's lines", async () => {
    await page.click("#reset");
    await page.selectOption("#speed", "600");
    // the point count of the loss plot, read in every frame while it plays
    await page.evaluate(() => {
      const w = window as unknown as { lesson: { state: State }; seen: number[] };
      w.seen = [];
      const sample = () => {
        w.seen.push(w.lesson.state.lossPoints);
        if (!w.lesson.state.done) requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    });
    await page.click("#play");
    await page.waitForFunction(() => (window as unknown as { lesson: { state: State } }).lesson.state.done, null, { timeout: 30_000 });
    const s = await state();
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    // it rose frame by frame (600 samples/s: 10-40 samples, 3-13 epochs, a frame), never fell
    expect(new Set(seen.filter((v) => v > 0 && v < 100)).size, seen.join(" ")).toBeGreaterThanOrEqual(4);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    expect(s.console).toBe(fixture);
    expect(s.wBits.toString(16)).toBe("3ffffffd");
    expect(s).toMatchObject({ epoch: 100, steps: 300, lossPoints: 100, wPoints: 301, playing: false });
    expect(await page.$eval("#console", (e) => e.textContent)).toBe(fixture);
    const text = await graphText();
    expect(text).toContain("x = 3.0");
    expect(text).toContain("PowBackward0");
    // both plots drew their canvas, and Play is off at the end
    expect(await page.$$eval("canvas", (cs) => cs.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$eval("#play", (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await page.screenshot({ path: join(outDir, "lesson.png"), fullPage: true });
    expect(problems(logs), logs.join("\n")).toEqual([]);
  }, 60_000);

  test("Reset starts over, and the learning rate changes the run", async () => {
    await page.fill("#lr", "0.05");
    await page.dispatchEvent("#lr", "change");
    await page.click("#reset");
    expect(await state()).toMatchObject({ steps: 0, lossPoints: 0, wPoints: 1, console: "before, w=  4.0\n" });
    for (let i = 0; i < 3; i++) await page.click("#step");
    const s = await state();
    expect(s.console).not.toBe(fixture.split("\n").slice(0, 5).join("\n") + "\n");
    expect(s.lossPoints).toBe(1);
    expect(problems(logs), logs.join("\n")).toEqual([]);
  });

  test("the home page links both pages", async () => {
    const { page: home, logs: homeLogs } = await demo.open("");
    const links = await home.$$eval("main a", (as) => as.map((a) => a.getAttribute("href")));
    expect(links).toEqual(["lesson.html", "digits.html"]);
    expect(problems(homeLogs), homeLogs.join("\n")).toEqual([]);
    await home.close();
  });

  test("links the API reference exactly when it has been built, and serves it under docs/", async () => {
    const built = docsDir() !== undefined;
    expect(await page.$eval("#docs-link", (a) => (a as HTMLAnchorElement).hidden)).toBe(!built);
    const res = await fetch(`${demo.url}docs/`);
    expect(res.status).toBe(built ? 200 : 404);
    if (built) expect(await res.text()).toContain("wasmgrad");
  });
}
