// Shared by the nn, optim and data tests: fixture loading and which ops this build has.

import { readFileSync } from "node:fs";
import * as wg from "../../src/index.js";
import { makeTensor, type TensorRec } from "../helpers/golden";

export { makeTensor, type TensorRec };

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/nn/${name}`, import.meta.url), "utf8")) as T;
}

export const hasMethod = (name: string): boolean =>
  typeof (wg.Tensor.prototype as unknown as Record<string, unknown>)[name] === "function";
export const hasFn = (name: string): boolean => typeof (wg as unknown as Record<string, unknown>)[name] === "function";

/** The names in `needs` this build lacks ("t.x" for a method, "x" for a function). */
export function missing(...needs: string[]): string[] {
  return needs.filter((n) => (n.startsWith("t.") ? !hasMethod(n.slice(2)) : !hasFn(n)));
}

/** True when seeded draws are PyTorch's (torch.manual_seed(0); torch.rand(3) = [0.4963, 0.7682, 0.0885]). */
export function torchGenerator(): boolean {
  wg.manualSeed(0);
  const v = wg.rand(3).toFloat32Array();
  return Math.abs(v[0] - 0.49625658988952637) < 1e-7 && Math.abs(v[2] - 0.08847743272781372) < 1e-7;
}

/** test, or test.todo naming what is missing. */
export function needing(needs: string[], extra: string[] = []): { run: boolean; why: string } {
  const m = [...missing(...needs), ...extra];
  return { run: m.length === 0, why: m.length ? ` (todo: needs ${m.join(", ")})` : "" };
}
