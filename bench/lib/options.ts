// Command-line options of `npm run bench`.

export interface BenchOptions {
  /** Rounds of the column rotation; the table shows medians over them. */
  readonly rounds: number;
  /** Time budget of one column in one round (ms); a call longer than that runs once. */
  readonly timeMs: number;
  /** Warm-up of each column before its first round (ms), after the agreement check's calls. */
  readonly warmupMs: number;
  /** A column whose first call takes longer (ms, wall) is timed by that call alone. */
  readonly slowMs: number;
  /** Wall time for every column (default: CPU time for single-threaded ones). */
  readonly wall: boolean;
  readonly quick: boolean;
  readonly torch: boolean;
  /** Row ids (or id prefixes) from --only=a,b; null = every row. */
  readonly only: readonly string[] | null;
}

// A full run: 5 rounds x 14 rows x 6 columns x 0.2 s, plus warm-ups, setup and the slow calls of
// tfjs-cpu and jax-js: about 5 minutes on 2 cores (7 with --torch on a loaded machine). --quick only
// checks that everything runs.
const FULL = { rounds: 5, timeMs: 200, warmupMs: 100, slowMs: 2000 };
const QUICK = { rounds: 2, timeMs: 30, warmupMs: 0, slowMs: 300 };

export const USAGE = "usage: npm run bench -- [--quick] [--torch] [--only=<row>[,<row>...]] [--rounds=<n>] [--wall]";

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false, torch = false, wall = false, only: string[] | null = null, rounds: number | null = null;
  for (const a of argv) {
    if (a === "--quick") quick = true;
    else if (a === "--torch") torch = true;
    else if (a === "--wall") wall = true;
    else if (a.startsWith("--only=")) only = a.slice(7).split(",").filter(Boolean);
    else if (a.startsWith("--rounds=") && Number(a.slice(9)) >= 1) rounds = Math.floor(Number(a.slice(9)));
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const base = quick ? QUICK : FULL;
  return { ...base, rounds: rounds ?? base.rounds, quick, torch, wall, only };
}
