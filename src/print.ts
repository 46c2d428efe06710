// Python's str() and print(), so a program ported from PyTorch prints PyTorch's exact text.
//
// A JavaScript number cannot say whether it stands for a Python int or a float. The rule here:
// a `number` is a Python float and a `bigint` is a Python int. Values read from tensors (`item()`)
// and float literals such as `[1.0, 2.0]` are then right as written, and an int such as a loop
// counter is written with `n`: `for (let epoch = 0n; epoch < 100n; epoch++)`, or `BigInt(i)`.

import { Tensor } from "./tensor.js";
import { DTypeError, safeString } from "./errors.js";

/**
 * repr() of a Python float: the shortest digits that round-trip, positional for exponents -4..15
 * and scientific (two exponent digits at least) outside, always with a decimal point or exponent.
 */
function floatRepr(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest round-trip digits, as repr does.
  const [mant, expStr] = v.toExponential().split("e");
  const exp = Number(expStr);
  const sign = v < 0 ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || "0"}`;
}

// Characters str.isprintable() rejects (besides ASCII space): controls, format, surrogates,
// private use, unassigned, and separators.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** repr() of a Python str: quotes chosen as Python chooses them, non-printables escaped. */
function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (c === 0x20 || !NON_PRINTABLE.test(ch)) out += ch;
    else if (c <= 0xff) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c <= 0xffff) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += "\\U" + c.toString(16).padStart(8, "0");
  }
  return out + quote;
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const MAX_DEPTH = 1000;

/** str(x) (top = true) or repr(x) (inside a list or dict), with `seen` guarding self-reference. */
function format(x: unknown, top: boolean, seen: Set<object>, op: string, depth = 0): string {
  if (typeof x === "number") return floatRepr(x);
  if (typeof x === "bigint") return x.toString();
  if (typeof x === "string") return top ? x : strRepr(x);
  if (typeof x === "boolean") return x ? "True" : "False";
  if (x === null || x === undefined) return "None";
  if (x instanceof Tensor) return x.toString();
  if (typeof x !== "object") return String(x);
  const list = Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  const dict = x instanceof Map || isPlainObject(x);
  if (!list && !dict) return String(x);
  if (seen.has(x)) return list ? "[...]" : "{...}";
  // Python's repr raises RecursionError here; the JS stack would overflow
  if (depth >= MAX_DEPTH) throw new DTypeError(`${op}: the value is nested more than ${MAX_DEPTH} levels deep`);
  seen.add(x);
  try {
    if (list) return `[${Array.from(x as ArrayLike<unknown>, (v) => format(v, false, seen, op, depth + 1)).join(", ")}]`;
    const entries = x instanceof Map ? [...x.entries()] : Object.entries(x);
    return `{${entries.map(([k, v]) => `${format(k, false, seen, op, depth + 1)}: ${format(v, false, seen, op, depth + 1)}`).join(", ")}}`;
  } finally {
    seen.delete(x);
  }
}

/**
 * The text Python's `str(x)` gives, which is what `print(x)` shows. A `number` prints as a Python
 * float, a `bigint` as a Python int (see the module comment for why); strings as they are,
 * booleans as `True`/`False`, `null` and `undefined` as `None`, arrays and typed arrays as lists,
 * plain objects and Maps as dicts (their strings quoted as repr quotes them), tensors by `toString()`.
 *
 * ```ts
 * formatPy(4);              // "4.0"
 * formatPy(1e-5);           // "1e-05"
 * formatPy(0.1 + 0.2);      // "0.30000000000000004"
 * formatPy(7n);             // "7"
 * formatPy([1, "a", true]); // "[1.0, 'a', True]"
 * ```
 */
export function formatPy(x: unknown): string {
  return format(x, true, new Set(), "formatPy");
}

/** Receives the text one `print` call writes, its trailing newline included. */
export type PrintSink = (text: string) => void;

let sink: PrintSink | null = null;

function defaultSink(text: string): void {
  const stdout = typeof process !== "undefined" ? process.stdout : undefined;
  if (stdout && typeof stdout.write === "function") stdout.write(text);
  else console.log(text.slice(0, -1));
}

/**
 * Python's `print(*args)`: each argument formatted by {@link formatPy}, joined by single spaces,
 * then a newline. Writes to process.stdout in Node and to console.log elsewhere, unless
 * {@link setPrintSink} set another destination.
 *
 * ```ts
 * for (let epoch = 0n; epoch < 2n; epoch++) print("progress", epoch, l.item());
 * // progress 0 7.315943717956543
 * ```
 */
export function print(...args: unknown[]): void {
  (sink ?? defaultSink)(args.map((a) => format(a, true, new Set(), "print")).join(" ") + "\n");
}

/**
 * Sends what {@link print} writes to `fn` instead (`null`: back to stdout / console.log) and
 * returns the sink it replaces, so the caller can restore it.
 *
 * ```ts
 * const prev = setPrintSink((text) => { panel.textContent += text; });
 * print("before, w= ", 4.0); // the panel shows "before, w=  4.0"
 * setPrintSink(prev);
 * ```
 */
export function setPrintSink(fn: PrintSink | null): PrintSink | null {
  if (fn !== null && typeof fn !== "function") {
    throw new DTypeError(`setPrintSink: expected a function (text: string) => void or null, got ${safeString(fn)}`);
  }
  const prev = sink;
  sink = fn;
  return prev;
}
