// Result dtypes against PyTorch's type promotion (test/fixtures/promotion.json, written by
// make_promotion.py): every pair of float32, float64, int32 and bool operands, tensor with tensor,
// with a 0-d tensor and with a number (2, 1.5, true), for arithmetic, maximum, where, comparisons
// and reductions. Where torch raises, wasmgrad must throw a WasmgradError. An op or dtype that
// wasmgrad does not have yet is a todo.

import { readFileSync } from "node:fs";
import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { hasFunction, hasMethod, makeTensor, supportsDtype, type TensorRec } from "../helpers/golden";

type Operand = { dtype: TensorRec["dtype"]; shape: number[] } | { number: number | boolean };

interface PromotionCase {
  name: string;
  op: string;
  cond?: Operand;
  a: Operand;
  b?: Operand;
  result: string | { error: string };
}

const cases: PromotionCase[] = JSON.parse(readFileSync(new URL("../fixtures/promotion.json", import.meta.url), "utf8"));

/** The operand as make_promotion.py builds it: values 1, 2, 3 (True, False, True), 0-d: 2 (True). */
function operand(o: Operand): wg.Tensor | number | boolean {
  if ("number" in o) return o.number;
  const bool = o.dtype === "bool";
  const values = o.shape.length === 0 ? [bool ? true : 2] : bool ? [true, false, true] : [1, 2, 3];
  return makeTensor({ shape: o.shape, dtype: o.dtype, values });
}

const operands = (c: PromotionCase): Operand[] => [c.cond, c.a, c.b].filter((o): o is Operand => o !== undefined);

function missing(c: PromotionCase): string | null {
  const fnForm = hasFunction(c.op), methodForm = c.op !== "where" && hasMethod(c.op) && !("number" in c.a);
  if (!fnForm && !methodForm) return `${c.op} missing`;
  for (const o of operands(c)) if ("dtype" in o && !supportsDtype(o.dtype)) return `dtype ${o.dtype} not supported`;
  if (typeof c.result === "string" && !supportsDtype(c.result)) return `dtype ${c.result} not supported`;
  return null;
}

function run(c: PromotionCase): unknown {
  const xs = operands(c).map(operand);
  if (hasFunction(c.op)) return (wg as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op](...xs);
  const [self, ...rest] = xs as [Record<string, (...a: unknown[]) => unknown>, ...unknown[]];
  return self[c.op](...rest);
}

describe("type promotion", () => {
  for (const c of cases) {
    const gap = missing(c);
    const expected = typeof c.result === "string" ? c.result : `error (${c.result.error})`;
    const label = `${c.name} -> ${expected}`;
    if (gap) { test.todo(`${label} (${gap})`); continue; }
    test(label, () => {
      if (typeof c.result === "string") {
        const out = run(c);
        expect(out).toBeInstanceOf(wg.Tensor);
        expect((out as wg.Tensor).dtype).toBe(c.result);
      } else {
        let thrown: unknown = null;
        try { run(c); } catch (e) { thrown = e; }
        expect(thrown, `torch raises: ${c.result.error}`).toBeInstanceOf(wg.WasmgradError);
      }
    });
  }
});
