// Every misuse throws a JS Error naming the op and the values; afterwards the library still works
// and existing tensors are intact.
import { test, expect } from "vitest";
import {
  tensor, ones, zeros, mul, matmul, arange, sum, WasmgradError, ShapeError, IndexError, DTypeError,
  OutOfMemoryError, DisposedError, AutogradError, Tensor,
} from "wasmgrad";

// A tensor that must survive every error unchanged, and a check that ops still run.
const witness = tensor([1.5, -2, 3]);
function stillWorks(): void {
  expect(Array.from(witness.toFloat32Array())).toEqual([1.5, -2, 3]);
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(x).sum().backward();
  expect(Array.from(x.grad!.toFloat32Array())).toEqual([2, 4]);
}

const cases: [string, () => unknown, typeof WasmgradError, RegExp | string][] = [
  ["broadcast", () => ones([2, 3]).mul(ones([4])), ShapeError,
    "mul: cannot broadcast shapes [2, 3] and [4]: size 3 vs 4 at dim 1"],
  ["broadcast (function form)", () => mul(ones([2, 3]), ones([2, 1, 4])), ShapeError,
    /^mul: cannot broadcast shapes \[2, 3\] and \[2, 1, 4\]/],
  ["matmul inner dims", () => matmul(ones([2, 3]), ones([4, 5])), ShapeError,
    "matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 vs 4)"],
  ["matmul 0-d", () => matmul(tensor(1), ones([2])), ShapeError, /^matmul: both arguments need at least 1 dimension/],
  ["mm 1-D", () => ones([3]).mm(ones([3, 2])), ShapeError, /^mm: both arguments must be 2-D, got shapes \[3\] and \[3, 2\]/],
  ["view size", () => ones([2, 3]).view(4), ShapeError, "view: shape [4] is invalid for input of size 6 (shape [2, 3])"],
  ["view strided", () => ones([2, 3]).t().view(6), ShapeError, /^view: size is not compatible with input tensor's size and stride/],
  ["reshape two -1", () => ones([6]).reshape(-1, -1), ShapeError, /^reshape: only one dimension can be inferred/],
  ["sum dim", () => ones([2, 3]).sum(2), IndexError,
    "sum: dimension out of range (expected to be in range of [-2, 1], but got 2)"],
  ["repeated dim", () => sum(ones([2, 3]), [1, -1]), IndexError, /^sum: dim 1 appears multiple times/],
  ["transpose dim", () => ones([2, 3]).transpose(0, -3), IndexError, /^transpose: dimension out of range/],
  ["t of 3-D", () => ones([1, 2, 3]).t(), ShapeError, /^t: expects a tensor with <= 2 dimensions, but got shape \[1, 2, 3\]/],
  ["expand", () => ones([3, 2]).expand(3, 4), ShapeError, /^expand: the expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton dimension 1/],
  ["unsqueeze dim", () => ones([2]).unsqueeze(3), IndexError, /^unsqueeze: dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)/],
  ["int dtype (torch: mean(): could not infer output dtype)", () => tensor(new Int32Array([1, 2])).mean(), DTypeError,
    /^mean: could not infer output dtype: input dtype must be floating point, got int32/],
  ["int requires grad", () => tensor(new Int32Array([1, 2])).requiresGrad_(), DTypeError,
    /^requiresGrad_: only tensors of floating point dtype can require gradients, got int32/],
  ["array operand", () => ones([2]).mul([1, 2] as never), DTypeError, "mul: expected a Tensor, got an array (wrap it with tensor())"],
  ["item", () => ones([3]).item(), ShapeError, "item: a Tensor with 3 elements cannot be converted to Scalar (shape [3])"],
  ["ragged", () => tensor([[1, 2], [3]]), ShapeError, /^tensor: nested arrays are not rectangular/],
  ["bad shape", () => zeros([2, -1]), ShapeError, /^zeros: invalid shape \[2, -1\]/],
  ["dtype name", () => zeros([2], { dtype: "float16" as never }), DTypeError, /^zeros: unknown dtype "float16"/],
  ["arange step", () => arange(0, 5, 0), ShapeError, "arange: step must be nonzero"],
  ["too large", () => zeros([40000, 40000]), OutOfMemoryError, /^zeros: out of memory for a tensor of shape \[40000, 40000\]/],
  ["too many elements", () => zeros([100000, 100000]), ShapeError, /^zeros: shape \[100000, 100000\] has 10000000000 elements; at most 2147483647 are supported/],
  ["in-place shape", () => ones([3]).add_(ones([2, 3])), ShapeError, /^add_: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/],
  ["backward non-scalar", () => tensor([1, 2], { requiresGrad: true }).mul(2).backward(), AutogradError, /^backward: grad can be implicitly created/],
  ["backward gradient shape", () => tensor([1, 2], { requiresGrad: true }).mul(2).backward(ones([3])), ShapeError,
    "backward: gradient has shape [3] but the output has shape [2]"],
  // values no message may choke on: BigInt, Symbol, cycles, deep nesting, fake tensors
  ["BigInt size", () => zeros(10n as never), ShapeError, "zeros: expected a shape as an array or as numbers, got [10n] (a size is 10n)"],
  ["Symbol dim", () => ones([2]).sum(Symbol("d") as never), IndexError, "sum: dim must be a number or an array of numbers, got Symbol(d)"],
  ["Symbol in a shape", () => zeros([2, Symbol() as never]), ShapeError, /^zeros: expected a shape as an array or as numbers, got \[2, Symbol\(\)\]/],
  ["cyclic shape", () => { const a: unknown[] = [1, 2]; a.push(a); return ones([3]).view(a as never); }, ShapeError, /^view: expected a shape as an array or as numbers, got \[1, 2, an array\]/],
  ["deep shape", () => { let a: unknown = 1; for (let i = 0; i < 100000; i++) a = [a]; return zeros(a as never); }, ShapeError, /^zeros: /],
  ["fake tensor", () => ones([2]).add(Object.create(Tensor.prototype) as never), DTypeError, "add: expected a Tensor, got an object that is not a tensor made by wasmgrad"],
  ["backward twice", () => { const y = tensor([1, 2], { requiresGrad: true }).exp().sum(); y.backward(); y.backward(); }, AutogradError,
    /^backward: trying to backward through the graph a second time .*pass \{ retainGraph: true \}/],
];

test.each(cases)("%s", (_, fn, type, message) => {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
  stillWorks();
});

test("errors are Error subclasses with their own names", () => {
  let thrown: unknown = null;
  try {
    ones([2]).mul(ones([3]));
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect(thrown).toBeInstanceOf(WasmgradError);
  expect(thrown).toBeInstanceOf(ShapeError);
  expect((thrown as Error).name).toBe("ShapeError");
  expect(new DTypeError("x").name).toBe("DTypeError");
  expect(new IndexError("x")).not.toBeInstanceOf(ShapeError);
});

test("using a disposed tensor throws, and disposing twice is harmless", () => {
  const t = ones([2]);
  t.dispose();
  t.dispose();
  expect(t.isDisposed).toBe(true);
  expect(() => t.mul(2)).toThrow(DisposedError);
  expect(() => ones([2]).add(t)).toThrow("add: tensor was disposed");
  expect(String(t)).toBe("tensor(<disposed>)");
  stillWorks();
});

test("a failed op changes nothing: the leaf's grad and values are kept", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  w.mul(3).sum().backward();
  expect(() => w.mul(ones([3]))).toThrow(ShapeError);
  expect(Array.from(w.grad!.toFloat32Array())).toEqual([3, 3]);
  expect(Array.from(w.toFloat32Array())).toEqual([1, 2]);
});
