// Error types. Every message has the form `<op>: <what is wrong>: <values>[; hint]`.

/** Base class of every error wasmgrad throws on misuse. */
export class WasmgradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op (broadcasting, matmul, reshape, ...). */
export class ShapeError extends WasmgradError {}
/** A dim or index outside its range. */
export class IndexError extends WasmgradError {}
/** An argument of the wrong type or dtype. */
export class DTypeError extends WasmgradError {}
/** Autograd misuse: backward through a freed graph, in-place changes, requires_grad rules. */
export class AutogradError extends WasmgradError {}
/** The WASM memory could not grow. */
export class OutOfMemoryError extends WasmgradError {}
/** Use of a tensor after dispose(). */
export class DisposedError extends WasmgradError {}

/** `[2, 3]` */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function oom(op: string, shape?: readonly number[]): OutOfMemoryError {
  const what = shape ? ` for a tensor of shape ${formatShape(shape)}` : "";
  return new OutOfMemoryError(`${op}: out of memory${what}; free tensors (dispose/tidy) or use smaller ones`);
}
