// Instructions executed per step of the seed lesson's loop (the JS facade and the core together),
// counted by valgrind rather than timed: on a shared machine the same build's step time varies by
// 1.5x from run to run, while this count moved by at most 3.5% (the forced collections it includes
// depend on timed heuristics), so it can tell apart changes of several percent. The loop runs N1 and N2 epochs (3 steps each) in two processes; the difference of
// their totals, divided by the steps between them, leaves out start-up and compilation.
// Needs valgrind (apt-get install -y valgrind). V8 runs with --no-liftoff (every function
// optimized from the first call) and --single-threaded (no background compiling to count).
// Run: npm run build && node scripts/lesson-instructions.mjs [buildDir] [N1] [N2]
import { execFileSync, spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dir = resolve(process.argv[2] ?? `${root}build`);
const n1 = Number(process.argv[3] ?? 10000), n2 = Number(process.argv[4] ?? 30000);

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("lesson-instructions: valgrind is not installed (apt-get install -y valgrind)");
  process.exit(2);
}

// bench/lib/lesson.ts's loop, written out so that it imports the build under test
const loop = `
const { tensor, mul, sub } = await import(${JSON.stringify(`${dir}/index.js`)});
const w = tensor([1.0]); w.requiresGrad = true;
const X = [1, 2, 3], Y = [2, 4, 6], epochs = Number(process.argv[1]);
for (let e = 0; e < epochs; e++) for (let i = 0; i < 3; i++) {
  const l = sub(mul(X[i], w), Y[i]).pow(2);
  l.backward();
  w.grad.item();
  w.data = sub(w.data, mul(0.01, w.grad.data));
  w.grad.data.zero_();
}`;

function count(epochs) {
  const r = spawnSync("valgrind", ["--tool=cachegrind", "--cache-sim=no", "--smc-check=all-non-file", "--cachegrind-out-file=/dev/null",
    process.execPath, "--single-threaded", "--no-liftoff", "--input-type=module", "-e", loop, String(epochs)], { encoding: "utf8" });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`lesson-instructions: valgrind run failed:\n${r.stderr.slice(-2000)}`);
  return Number(m[1].replaceAll(",", ""));
}

const a = count(n1), b = count(n2);
console.log(`${dir}: ${Math.round((b - a) / (3 * (n2 - n1)))} instructions per lesson step (${n1} and ${n2} epochs)`);
