// Compares builds of the core in one process: each .wasm given gets its own copy of
// build/index.js beside it (so each has its own instance), and the cases run interleaved, in
// alternating order, for ROUNDS rounds; it prints the median CPU time per call and the ratio of
// each build to the first. For size/speed trade-offs of asc options on a shared machine.
// Run: npm run build && node --expose-gc scripts/wasm-ab.mjs a.wasm b.wasm [c.wasm ...]
// (ROUNDS=n rounds, CASES=mm,xent for a subset)
import { mkdirSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const variants = process.argv.slice(2).map((p) => resolve(p));
if (variants.length < 2) throw new Error("usage: node --expose-gc scripts/wasm-ab.mjs a.wasm b.wasm [...]");
const tmp = mkdtempSync(join(tmpdir(), "wasmgrad-ab-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const libs = [];
for (const [i, w] of variants.entries()) {
  const d = join(tmp, String(i));
  mkdirSync(d);
  copyFileSync(join(root, "build/index.js"), join(d, "index.js"));
  copyFileSync(w, join(d, "release.wasm"));
  libs.push(await import(join(d, "index.js")));
}
function cases(L) {
  const { randn, tensor, mul, sub, noGrad } = L;
  const a256 = randn(256, 256), b256 = randn(256, 256), a64 = randn(64, 64), b64 = randn(64, 64);
  const x = randn(128, 784), w = randn(256, 784), g = randn(128, 256);
  const v1 = randn(1000000), v2 = randn(1000000), s1 = randn(1000), s2 = randn(1000);
  const wl = tensor([1.0], { requiresGrad: true }); const c = tensor([1.0]);
  const img = randn(8, 3, 32, 32), k = randn(16, 3, 3, 3);
  const lg = randn(256, 1000);
  const s1p = L.rand(100000); const d1 = L.randn(100000, { dtype: "float64" }); const d2 = L.randn(256, 1000, { dtype: "float64" }); const tgt = L.randint(0, 1000, [256]);
  const mlpW = randn(256, 256, { requiresGrad: true }), mx = randn(64, 256);
  return {
    "mm256": () => a256.matmul(b256),
    "mm64": () => a64.matmul(b64),
    "mlp xW^T": () => x.matmul(w.t()),
    "mlp x^T g": () => x.t().matmul(g),
    "add 1e6": () => v1.add(v2),
    "exp 1e6": () => v1.exp(),
    "sum 1e6": () => v1.sum(),
    "add 1e3": () => s1.add(s2),
    "tanh 1e6": () => v1.tanh(),
    "softmax 256x1000": () => lg.softmax(1),
    "conv2d": () => L.conv2d(img, k, undefined, { padding: 1 }),
    "mul rec": () => mul(2, wl),
    "mul nograd": () => noGrad(() => mul(2, c)),
    "lesson step": () => { const l = sub(mul(2, wl), 4).pow(2); l.backward(); wl.grad.zero_(); return l; },
    "randn 1e5": () => L.randn(100000),
    "logsumexp": () => lg.logsumexp(1),
    "pow 2.5 1e5": () => s1p.pow(2.5),
    "f64 exp 1e5": () => d1.exp(),
    "sin 1e5": () => s1p.sin(),
    "log1p 1e5": () => s1p.log1p(),
    "gelu 1e5": () => s1p.gelu(),
    "sigmoid 1e5": () => s1p.sigmoid(),
    "xent 256x1000": () => L.F.crossEntropy(lg, tgt),
    "f64 softmax": () => d2.softmax(1),
    "mlp step": () => { const l = mx.matmul(mlpW).relu().sum(); l.backward(); mlpW.grad.zero_(); return l; },
  };
}
const all = libs.map(cases);
// CASES=a,b runs only the cases whose names contain one of the words
const only = process.env.CASES?.split(",");
const names = Object.keys(all[0]).filter((n) => !only || only.some((w) => n.includes(w)));
const rounds = Number(process.env.ROUNDS ?? 7);
const res = names.map(() => libs.map(() => []));
for (const cs of all) for (const n of names) for (let i = 0; i < 3; i++) cs[n]().dispose?.();
for (let r = 0; r < rounds; r++) {
  for (const [ni, n] of names.entries()) {
    const order = r % 2 ? [...libs.keys()].reverse() : [...libs.keys()];
    for (const vi of order) {
      const fn = all[vi][n]; let calls = 0; const u0 = process.cpuUsage(); const t0 = performance.now();
      while (performance.now() - t0 < 30 || calls < 2) { const t = fn(); t.dispose?.(); calls++; }
      const u = process.cpuUsage(u0); res[ni][vi].push((u.user + u.system) / calls);
    }
  }
}
const med = (xs) => { const s = [...xs].sort((p, q) => p - q); return s[s.length >> 1]; };
console.log("case".padEnd(20), variants.map((v) => v.split("/").pop().padStart(14)).join(""), "  ratio(B/A...)");
for (const [ni, n] of names.entries()) {
  const m = res[ni].map(med);
  console.log(n.padEnd(20), m.map((x) => (x.toFixed(2) + "us").padStart(14)).join(""), "  ", m.slice(1).map((x) => (x / m[0]).toFixed(3)).join(" "));
}
