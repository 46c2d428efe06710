// Checkpoints shared with real PyTorch through the Python `safetensors` package, both ways:
// torch's save_file → wasmgrad's load (float32/64, int32, int64, bool; 0-d, empty, multi-dim),
// wasmgrad's saveFile → torch's load_file, and the same tensors written byte-identically by both.
// The package lives in a virtualenv over the system python (which has torch 1.13), made here if
// missing; .ci/run installs python3-torch and python3-venv and makes it beforehand.
import { test, expect, describe, beforeAll, afterAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tensor, arange, randn, manualSeed, zeros, save, load, saveFile, loadFile, Tensor } from "wasmgrad";

const root = new URL("..", import.meta.url).pathname;
const VENV = join(root, "node_modules/.cache/wasmgrad-venv");
const PY = join(VENV, "bin/python");
const SCRIPT = join(root, "test/fixtures/safetensors/interop.py");

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim() };
}

/** null when the venv with torch and safetensors is ready, else why the tests are skipped. */
function prepare(): string | null {
  if (!existsSync("/usr/bin/python3")) return "/usr/bin/python3 is missing";
  if (!run("/usr/bin/python3", ["-c", "import torch"]).ok) return "python3-torch is not installed (apt-get install python3-torch)";
  if (existsSync(PY) && run(PY, ["-c", "import safetensors.torch"]).ok) return null;
  const venv = run("/usr/bin/python3", ["-m", "venv", "--system-site-packages", VENV]);
  if (!venv.ok) return `cannot create a virtualenv (apt-get install python3-venv): ${venv.out.split("\n").pop()}`;
  const pip = run(join(VENV, "bin/pip"), ["install", "-q", "safetensors"]);
  if (!pip.ok || !run(PY, ["-c", "import safetensors.torch"]).ok) return `pip install safetensors failed: ${pip.out.split("\n").pop()}`;
  return null;
}

const skipReason = prepare();
if (skipReason) console.log(`safetensors interop tests skipped: ${skipReason}`);

interface Described { dtype: string; shape: number[]; hex: string }
const hexOf = (t: Tensor) => { const v = t.dataSync(); return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex"); };
const describeAll = (sd: Record<string, Tensor>): Record<string, Described> =>
  Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, hex: hexOf(t) }]));

/** A wasmgrad tensor with exactly the described bytes (wasmgrad's dtypes only). */
function fromDescribed(d: Described): Tensor {
  const b = Buffer.from(d.hex, "hex");
  const buf = new Uint8Array(b).buffer;
  const values = d.dtype === "float32" ? new Float32Array(buf) : d.dtype === "float64" ? new Float64Array(buf)
    : d.dtype === "int32" ? new Int32Array(buf) : new Uint8Array(buf);
  return tensor(values, { dtype: d.dtype as Tensor["dtype"] }).reshape(d.shape);
}

describe.skipIf(skipReason !== null)("safetensors interop with PyTorch", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wg-st-interop-"));
    execFileSync(PY, [SCRIPT, "write", dir], { encoding: "utf8" });
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  test("a file written by safetensors.torch.save_file loads exactly (int64 narrowed to int32)", () => {
    const expected = JSON.parse(readFileSync(join(dir, "torch.json"), "utf8")) as Record<string, Described>;
    const got = loadFile(join(dir, "torch.safetensors"));
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(["bn.num_batches_tracked", "long", "empty_long", "mask", "scalar", "empty"]));
    for (const [k, e] of Object.entries(expected)) {
      const t = got[k];
      expect(t.shape, k).toEqual(e.shape);
      if (e.dtype === "int64") {
        expect(t.dtype, k).toBe("int32");
        const want = Array.from(new BigInt64Array(new Uint8Array(Buffer.from(e.hex, "hex")).buffer), Number);
        expect(Array.from(t.dataSync()), k).toEqual(want);
      } else {
        expect(t.dtype, k).toBe(e.dtype);
        expect(hexOf(t), k).toBe(e.hex);
      }
    }
    expect(got["bn.num_batches_tracked"].shape).toEqual([]);
    expect(got["bn.num_batches_tracked"].item()).toBe(12345);
    expect(Array.from(got.long.dataSync())).toEqual([-(2 ** 31), 2 ** 31 - 1, 0, 5]);
    expect(Number.isNaN(got.special.dataSync()[0])).toBe(true);
  });

  test("a state dict written by wasmgrad loads with safetensors.torch.load_file, values, dtypes and shapes equal", () => {
    manualSeed(5);
    const w = randn([3, 4]);
    const sd: Record<string, Tensor> = {
      "layer.weight": w,
      "layer.weight_t": w.t(), // a view: written as its row-major values
      "layer.bias": randn([4], { dtype: "float64" }),
      "special": tensor(new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45])),
      "counts": tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 3, 4, 5])).reshape([2, 1, 3]),
      "mask": tensor([[true, false], [false, true], [true, true]]),
      "step": tensor(7, { dtype: "int32" }),
      "lr": tensor(0.125, { dtype: "float64" }),
      "empty": zeros([0, 4]),
      "empty_b": zeros([2, 0], { dtype: "bool" }),
      "odd": arange(5, undefined, 1, { dtype: "int32" }).reshape([5, 1, 1, 1]),
      "ünï": tensor([1, 2, 3]),
    };
    const path = join(dir, "wasmgrad.safetensors");
    saveFile(path, sd, { metadata: { format: "pt", producer: "wasmgrad" } });
    const expected = describeAll(sd);
    writeFileSync(join(dir, "wasmgrad.json"), JSON.stringify(expected));
    const r = run(PY, [SCRIPT, "check", path, join(dir, "wasmgrad.json")]);
    const report = JSON.parse(r.out.split("\n").pop()!) as { problems: string[]; names: string[]; metadata: unknown; dtypes: Record<string, string> };
    expect(report.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(report.names).toEqual(Object.keys(sd).sort());
    expect(report.metadata).toEqual({ format: "pt", producer: "wasmgrad" });
    expect(report.dtypes).toMatchObject({ "layer.bias": "torch.float64", counts: "torch.int32", mask: "torch.bool", "layer.weight": "torch.float32" });
  });

  test("the same tensors are written byte for byte as safetensors.torch.save_file writes them", () => {
    const expected = JSON.parse(readFileSync(join(dir, "same.json"), "utf8")) as Record<string, Described>;
    const sd = Object.fromEntries(Object.entries(expected).map(([k, d]) => [k, fromDescribed(d)]));
    const theirs = new Uint8Array(readFileSync(join(dir, "same.safetensors")));
    const ours = save(sd);
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    expect(describeAll(load(theirs))).toEqual(expected);
  });

  test("the check above can fail: a changed value is reported by torch's side", () => {
    const path = join(dir, "changed.safetensors");
    saveFile(path, { a: tensor([1, 2]) });
    writeFileSync(join(dir, "changed.json"), JSON.stringify({ a: { dtype: "float32", shape: [2], hex: hexOf(tensor([1, 3])) } }));
    const r = run(PY, [SCRIPT, "check", path, join(dir, "changed.json")]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/a: hex/);
  });
});
