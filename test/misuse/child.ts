// Child process side: runs calls (or heavy known-answer checks) against the built package and
// prints one line per finished call, so the parent can tell which call hung or crashed.
// Usage: node child.mjs <job.json>, job = { pkg: file URL of the package, calls: Call[], known: string[] }

import { readFileSync, writeSync } from "node:fs";
import { Harness, type Call } from "./runner";
import { KNOWN } from "./known";
import type { Lib } from "./spec";

const line = (s: string): void => { writeSync(1, s + "\n"); };

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as { pkg: string; calls: Call[]; known: string[] };
  const wg = (await import(job.pkg)) as Lib;
  const harness = new Harness(wg);
  for (const call of job.calls) {
    line(`S ${call.id}`);
    line(`R ${JSON.stringify(await harness.run(call))}`);
  }
  for (const name of job.known) {
    const k = KNOWN.find((x) => x.call === name)!;
    line(`S ${name}`);
    let res: string | null;
    try { res = k.run(wg); } catch (e) { res = `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`; }
    line(`K ${JSON.stringify({ name, res, after: harness.check() })}`);
  }
  line("DONE");
}

main().catch((e) => { line(`FATAL ${String(e && (e as Error).stack || e)}`); process.exitCode = 1; });
