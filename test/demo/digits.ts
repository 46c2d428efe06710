// The digit page: it trains lesson 10's CNN on examples/data's digits, one
// batch per frame, to a stated test accuracy within a bounded time, plots as it goes, and
// classifies what is drawn on its canvas (mouse strokes, and test digits painted onto it).

import { afterAll, beforeAll, expect, test } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { outDir, problems, type Demo } from "./harness.js";

type State = {
  epoch: number; batches: number; running: boolean; done: boolean; accuracies: number[]; trainedMs: number;
  memory: { now: { wasmBytes: number; tensors: number }; peak: { wasmBytes: number; bytes: number; tensors: number } };
  lossPoints: number; prediction: string; probs: number[];
};
type Api = { state: State; drawTestDigit(i: number): [number, number, number]; testSize: number };

const EPOCHS = 2;
const MIN_ACCURACY = 0.9; // lr 0.05: 95-97% after 2 epochs, in PyTorch and here

export function digitPage(getDemo: () => Demo): void {
  let demo: Demo;
  let page: Page;
  let logs: string[];
  const state = (): Promise<State> => page.evaluate(() => (window as unknown as { digits: Api }).digits.state);

  beforeAll(async () => {
    demo = getDemo();
    ({ page, logs } = await demo.open(`digits.html?epochs=${EPOCHS}`));
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 })
      .catch((e) => { throw new Error(`${e.message}\n${logs.join("\n")}`); });
  }, 60_000);

  afterAll(async () => {
    await page?.close();
  });

  test("loads the data and the untrained model with no errors, cross-origin isolated", async () => {
    const s = await state();
    expect(s).toMatchObject({ epoch: 0, batches: 0, running: false, done: false, lossPoints: 1 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(demo.served.filter((r) => r.path.startsWith("/data/")).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(problems(logs), logs.join("\n")).toEqual([]);
  });

  test(`trains ${EPOCHS} epochs to ${100 * MIN_ACCURACY}% test accuracy within 45 s, plotting as it goes`, async () => {
    const t0 = Date.now();
    await page.click("#train");
    await page.waitForFunction(() => (window as unknown as { digits: Api }).digits.state.batches >= 5, null, { timeout: 20_000 });
    const early = await state();
    expect(early.running).toBe(true);
    await page.waitForFunction(() => (window as unknown as { digits: Api }).digits.state.done, null, { timeout: 45_000, polling: 250 });
    const s = await state();
    const seconds = (Date.now() - t0) / 1000;
    console.log(`digits: ${EPOCHS} epochs in ${seconds.toFixed(1)} s (${(s.trainedMs / 1000).toFixed(1)} s computing), accuracies ${s.accuracies.map((a) => (100 * a).toFixed(1)).join(", ")}%, WASM memory peak ${(s.memory.peak.wasmBytes / 2 ** 20).toFixed(1)} MB`);
    expect(s.accuracies).toHaveLength(EPOCHS);
    expect(s.accuracies[EPOCHS - 1]).toBeGreaterThanOrEqual(MIN_ACCURACY);
    // 24 batches of 64 per epoch (1,500 digits), one plot point each, plus the untrained accuracy
    expect(s.batches).toBe(24 * EPOCHS);
    expect(early.lossPoints).toBeLessThan(s.lossPoints);
    expect(s.lossPoints).toBe(24 * EPOCHS + 1);
    // each batch in tidy(), as the page does by default: about 20 MB; without tidy() 50+ MB here and
    // about 590 MB over 10 minutes (scripts/demo-memory.mjs --no-tidy)
    expect(s.memory.peak.wasmBytes).toBeLessThan(64 * 2 ** 20);
    // what stays between batches: the parameters, the momentum buffers and a few more, not the batches
    expect(s.memory.now.tensors).toBeLessThan(200);
    expect(problems(logs), logs.join("\n")).toEqual([]);
  }, 60_000);

  test("test digits painted on the canvas are classified as the images themselves are", async () => {
    const results = await page.evaluate(() => {
      const api = (window as unknown as { digits: Api }).digits;
      return Array.from({ length: 60 }, (_, i) => api.drawTestDigit(i * 4));
    });
    const viaPad = results.filter(([label, pad]) => label === pad).length / results.length;
    const agree = results.filter(([, pad, direct]) => pad === direct).length / results.length;
    console.log(`digits: canvas path ${(100 * viaPad).toFixed(0)}% correct, agrees with the raw images on ${(100 * agree).toFixed(0)}%`);
    expect(viaPad).toBeGreaterThanOrEqual(0.85);
    expect(agree).toBeGreaterThanOrEqual(0.85);
  });

  test("a digit drawn with the mouse gets a prediction and 10 probabilities", async () => {
    await page.click("#clear");
    expect((await state()).prediction).toBe("–");
    const box = (await page.locator("#pad").boundingBox())!;
    // a "7": a bar along the top, then a stroke down to the lower left
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.3, 0.2));
    await page.mouse.down();
    for (const [fx, fy] of [[0.5, 0.2], [0.7, 0.2], [0.62, 0.4], [0.55, 0.6], [0.48, 0.8]]) await page.mouse.move(...at(fx, fy), { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { digits: Api }).digits.state.prediction !== "–");
    const s = await state();
    expect(s.probs).toHaveLength(10);
    expect(s.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(s.prediction).toBe(String(s.probs.indexOf(Math.max(...s.probs))));
    console.log(`digits: the drawn 7 is predicted ${s.prediction} (p = ${Math.max(...s.probs).toFixed(3)})`);
    await page.screenshot({ path: join(outDir, "digits.png"), fullPage: true });
    expect(problems(logs), logs.join("\n")).toEqual([]);
  });

  test("lesson 9's MLP trains from the same page (model menu, its own learning rate)", async () => {
    await page.selectOption("#model", "mlp");
    expect(await page.inputValue("#lr")).toBe("0.1");
    expect(await state()).toMatchObject({ epoch: 0, batches: 0, done: false, running: false });
    await page.click("#train");
    await page.waitForFunction(() => (window as unknown as { digits: Api }).digits.state.batches >= 2, null, { timeout: 20_000 });
    await page.click("#pause");
    await page.waitForFunction(() => !(window as unknown as { digits: Api }).digits.state.running);
    expect(problems(logs), logs.join("\n")).toEqual([]);
  }, 30_000);
}
