// Compares a port's printout with its PyTorch twin's: identical text once numbers are masked,
// integers equal, other numbers within `tol` relative (absolute where torch printed 0), and one
// unit in the last printed place allowed on top (a number printed to few digits can round either
// way): for every number (`lastPlace: "every"`) or only inside a tensor's repr, which prints 4
// decimals (`"repr"`). Returns the largest relative difference beyond that, or the first mismatch
// as an error string.

export interface Worst { rel: number; line: number; got: string; want: string }

const NUM = /[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?/g;

/** One unit in the last printed place of a decimal numeral ("2.296" -> 0.001), a hair over for double rounding. */
function unit(s: string): number {
  const m = /\.(\d*)(?:[eE]([-+]?\d+))?$/.exec(s);
  if (m === null) return 0;
  return 10 ** (-(m[1].length) + Number(m[2] ?? 0)) * (1 + 1e-9);
}

export function compare(got: string, want: string, tol: number, lastPlace: "every" | "repr"): Worst | string {
  const g = got.split("\n");
  const w = want.split("\n");
  if (g.length !== w.length) return `printed ${g.length} lines, torch printed ${w.length}`;
  let worst: Worst = { rel: 0, line: 0, got: "", want: "" };
  for (let i = 0; i < w.length; i++) {
    if (g[i].replace(NUM, "#") !== w[i].replace(NUM, "#")) return `line ${i + 1} differs in its words: ${JSON.stringify(g[i])} vs torch's ${JSON.stringify(w[i])}`;
    const gn = [...g[i].matchAll(NUM)];
    const wn = [...w[i].matchAll(NUM)];
    for (let k = 0; k < wn.length; k++) {
      const [gs, ws] = [gn[k][0], wn[k][0]];
      if (!/[.eE]/.test(ws)) {
        if (gs !== ws) return `line ${i + 1}: integer ${gs} vs torch's ${ws}`;
        continue;
      }
      const [a, b] = [Number(gs), Number(ws)];
      const diff = Math.abs(a - b);
      const rel = b === 0 ? diff : diff / Math.abs(b);
      const allowed = lastPlace === "every" || w[i].lastIndexOf("tensor(", wn[k].index) >= 0
        ? Math.max(unit(ws), unit(gs)) : 0;
      if (rel > tol && diff > allowed) return `line ${i + 1}: ${gs} vs torch's ${ws} (relative difference ${rel.toExponential(3)} > ${tol})`;
      if (rel > worst.rel && diff > allowed) worst = { rel, line: i + 1, got: gs, want: ws };
    }
  }
  return worst;
}
