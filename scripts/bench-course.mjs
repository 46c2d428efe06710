// `npm run bench:course [-- lesson10 ...]`: the full run of each course example
// (build/examples/<name>.js) and of its PyTorch original (examples/torch/<name>.py on one thread,
// `--threads1`: torch.set_num_threads(1)), timed wall clock, printed as a table with the ratio.
// Both times are of the whole process, startup included; torch's import alone is timed too, so its
// share can be told apart. The outputs are compared as well (same text or not), since a timing of a
// run that went elsewhere says little. Optional arguments: name prefixes of the lessons to time.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const PY = "/usr/bin/python3";
const only = process.argv.slice(2);
const names = readdirSync(`${root}examples/torch`)
  .filter((f) => /^lesson\d\d-.*\.py$/.test(f))
  .map((f) => f.slice(0, -3))
  .filter((n) => only.length === 0 || only.some((p) => n.startsWith(p)))
  .sort();

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  // one thread for torch in every lesson (the later twins also call torch.set_num_threads(1))
  const env = { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "ignore"] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
  return { s, out: r.stdout };
}

const importTorch = timed(PY, ["-c", "import torch; torch.set_num_threads(1)"]).s;
const rows = [];
for (const name of names) {
  const script = `${root}build/examples/${name}.js`;
  if (!existsSync(script)) {
    rows.push([name, "(no port)", "", "", ""]);
    continue;
  }
  process.stderr.write(`${name}...\n`);
  const wg = timed(process.execPath, [script]);
  const pt = timed(PY, [`examples/torch/${name}.py`, "--threads1"]);
  rows.push([name, wg.s.toFixed(1), pt.s.toFixed(1), (wg.s / pt.s).toFixed(2), wg.out === pt.out ? "same" : "differs"]);
}

const head = ["lesson", "wasmgrad s", "torch 1 thread s", "ratio", "output"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(line(head));
console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log(`\n(torch's import alone, included in its times: ${importTorch.toFixed(1)} s)`);
