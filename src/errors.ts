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

/** `[2, 3]`; elements that are not numbers (a misused shape argument) are described safely. */
export function formatShape(shape: readonly unknown[]): string {
  if (!Array.isArray(shape)) return safeString(shape);
  const n = shape.length;
  const parts: string[] = [];
  for (let i = 0; i < Math.min(n, 16); i++) {
    const s = shape[i];
    parts.push(typeof s === "number" ? String(s) : safeString(s));
  }
  if (n > 16) parts.push(`... (${n} sizes)`);
  return `[${parts.join(", ")}]`;
}

/** A printable form of any value, for messages (never throws: Symbols, BigInts, cycles, deep nesting). */
export function safeString(v: unknown): string {
  switch (typeof v) {
    case "string": return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
    case "symbol": return v.toString();
    case "bigint": return `${v.toString()}n`;
    case "function": return "a function";
    case "object": {
      if (v === null) return "null";
      if (Array.isArray(v)) return "an array";
      if (ArrayBuffer.isView(v)) return `a ${className(v) ?? "typed array"}`;
      return className(v) ?? "an object";
    }
    default: return String(v);
  }
}

function className(v: object): string | undefined {
  try {
    const name: unknown = v.constructor?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}

export function oom(op: string, shape?: readonly number[]): OutOfMemoryError {
  const what = shape ? ` for a tensor of shape ${formatShape(shape)}` : "";
  return new OutOfMemoryError(`${op}: out of memory${what}; free tensors (dispose/tidy) or use smaller ones`);
}
