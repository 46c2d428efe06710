// Command-line options of the lesson benchmark.

export interface BenchOptions {
  /** Rounds of the peer rotation; the reported numbers are medians over them. */
  readonly rounds: number;
  /** Time budget of one peer in one round (ms), after its warm-up. */
  readonly timeMs: number;
  /** Warm-up budget of one peer in one round (ms), so each round measures JIT-compiled code. */
  readonly warmupMs: number;
  /** Lesson epochs per timed call; each epoch is 3 inner iterations (one per sample). */
  readonly epochsPerCall: number;
}

// A full run is 7 rounds × 3 peers × (1.5 s + 0.3 s) ≈ 40 s of timing (about a minute with the
// build), within two minutes on a 2-core machine; an odd count gives a true median.
// --quick only checks that everything runs.
const FULL: BenchOptions = { rounds: 7, timeMs: 1500, warmupMs: 300, epochsPerCall: 1000 };
const QUICK: BenchOptions = { rounds: 2, timeMs: 150, warmupMs: 50, epochsPerCall: 100 };

export function parseOptions(argv: readonly string[]): BenchOptions & { readonly quick: boolean } {
  const unknown = argv.filter((a) => a !== "--quick");
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(" ")} (only --quick is accepted)`);
  const quick = argv.includes("--quick");
  return { ...(quick ? QUICK : FULL), quick };
}
