// The two numpy calls the course makes, with numpy's numbers.

import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "wasmgrad";

/**
 * np.arange(start, stop, step) for floats: ceil((stop - start) / step) values, the i-th being
 * start + i * delta with delta = (start + step) - start, which is how numpy fills the array
 * (so 3 * 0.1 gives 0.30000000000000004, as numpy prints it).
 */
export function arange(start: number, stop: number, step: number): number[] {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  return Array.from({ length: n }, (_, i) => start + i * delta);
}

/**
 * np.loadtxt(path, delimiter=',', dtype=np.float32) as a [rows, cols] float32 tensor: numpy parses
 * each field as a double and then casts it to float32, which is what Float32Array does too.
 */
export function loadtxt(path: string | URL, delimiter = ","): Tensor {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const cols = lines[0].split(delimiter).length;
  const values = new Float32Array(lines.length * cols);
  lines.forEach((line, r) => {
    const fields = line.split(delimiter);
    if (fields.length !== cols) throw new Error(`loadtxt: ${String(path)} line ${r + 1} has ${fields.length} columns, expected ${cols}`);
    fields.forEach((f, c) => { values[r * cols + c] = Number(f); });
  });
  return tensor(values).reshape(lines.length, cols);
}
