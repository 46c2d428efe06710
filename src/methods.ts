// Installs every op module's methods on Tensor.prototype, in one place: the op modules import the
// Tensor class, never the other way round, and their `declare module` blocks give the types.

import { Tensor } from "./tensor.js";
import { methods as binary } from "./ops/binary.js";
import { methods as unary } from "./ops/unary.js";
import { methods as ternary } from "./ops/ternary.js";
import { methods as reduce } from "./ops/reduce.js";
import { methods as reduceMinMax } from "./ops/reduceMinMax.js";
import { methods as reduceStats } from "./ops/reduceStats.js";
import { methods as softmax } from "./ops/softmax.js";
import { methods as shape, getters as shapeGetters } from "./ops/shape.js";
import { methods as slice } from "./ops/slice.js";
import { methods as linalg } from "./ops/linalg.js";
import { methods as indexing } from "./ops/indexing.js";
import { methods as inplace } from "./ops/inplace.js";
import { methods as convert } from "./ops/convert.js";
import { methods as autograd } from "./autograd.js";
import { methods as random } from "./random.js";

const groups: object[] = [binary, unary, ternary, reduce, reduceMinMax, reduceStats, softmax, shape, slice, indexing, linalg, inplace, convert, autograd, random];
const getterGroups: object[] = [shapeGetters];

export function installMethods(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const g of groups) {
    for (const [name, fn] of Object.entries(g)) {
      Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
  for (const g of getterGroups) {
    for (const [name, fn] of Object.entries(g)) {
      Object.defineProperty(proto, name, { get: fn as () => unknown, configurable: true, enumerable: false });
    }
  }
}
