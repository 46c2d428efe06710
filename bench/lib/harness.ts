// Runs one row across the columns: set up and check every column, warm them up, then time them in
// rounds whose column order rotates, so that slow drift of a loaded machine falls on all alike.

import { disagreement, type Probes } from "./agree.js";
import type { Column, Handle } from "./columns.js";
import type { BenchOptions } from "./options.js";
import type { PerCall } from "./timing.js";
import { Unsupported, type Row } from "./types.js";

export interface Cell {
  /** Milliseconds per call, one entry per round. */
  readonly times?: PerCall[];
  /** "n/a": the column does not exist in this build; "—": the peer cannot do the row; "✗": wrong result. */
  readonly mark?: "n/a" | "—" | "✗";
  /** Why the cell shows a mark, or how it was timed; the table cites it as a footnote. */
  readonly note?: string;
}

export interface RowResult {
  readonly row: Row;
  readonly cells: Cell[];
  readonly log: string[];
}

function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.split("\n")[0].trim();
  return line.length > 180 ? `${line.slice(0, 177)}...` : line;
}

export async function runRow(row: Row, columns: readonly Column[], opts: BenchOptions): Promise<RowResult> {
  const inputs = row.inputs();
  const reference = row.reference?.(inputs);
  const cells: Cell[] = columns.map(() => ({}));
  const handles: (Handle | null)[] = columns.map(() => null);
  const log: string[] = [];
  let baseline: { header: string; probes: Probes } | null = null;
  const agreeing: string[] = [];

  for (const [i, col] of columns.entries()) {
    if (col.na) {
      cells[i] = { mark: "n/a", note: col.na };
      continue;
    }
    let h: Handle | null = null;
    try {
      h = await col.setup(row, inputs);
      const { probes, last } = await h.check(opts.slowMs);
      const why = disagreement(probes, baseline, reference, row.rtol);
      if (why) {
        cells[i] = { mark: "✗", note: why };
        await h.dispose();
        continue;
      }
      baseline ??= { header: col.header, probes };
      agreeing.push(col.header);
      if (last.wall > opts.slowMs) {
        // Too slow to repeat in rounds: the check's last call is the figure.
        const which = probes[1] === null ? "its first call" : "its second call";
        cells[i] = { times: [last], note: `timed by ${which} alone (${(last.wall / 1000).toFixed(1)} s wall)` };
        await h.dispose();
        continue;
      }
      handles[i] = h;
    } catch (e) {
      const what = e instanceof Unsupported ? e.message : `fails: ${reason(e)}`;
      cells[i] = { mark: "—", note: what };
      await h?.dispose().catch(() => undefined);
    }
  }

  if (baseline) {
    const values = baseline.probes[0].map((v) => v.toPrecision(6)).join(" ");
    log.push(`first call's values agree (rtol ${row.rtol}${reference ? ", and with float64 JS" : ""}): ${agreeing.join(", ")}: ${values}`);
  }
  const before = row.watch?.();
  if (before) log.push(`before timing: ${before.text}`);
  for (const h of handles) if (h && opts.warmupMs > 0) await h.warmup(opts.warmupMs);
  const times: PerCall[][] = columns.map(() => []);
  for (let r = 0; r < opts.rounds; r++) {
    for (let j = 0; j < columns.length; j++) {
      const i = (j + r) % columns.length;
      const h = handles[i];
      if (h) times[i].push(await h.time(opts.timeMs));
    }
  }
  const after = row.watch?.();
  if (before && after) log.push(`after timing:  ${after.text}${after.bytes > before.bytes ? ` GREW by ${((after.bytes - before.bytes) / (1 << 20)).toFixed(1)} MiB` : " (flat)"}`);
  for (const [i, h] of handles.entries()) {
    if (!h) continue;
    cells[i] = { times: times[i] };
    await h.dispose();
  }
  return { row, cells, log };
}
