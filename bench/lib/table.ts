// The comparison table (Markdown): medians over rounds in each row's unit, marks with footnotes,
// and wasmgrad's best column against the best peer.

import { median } from "./stats.js";
import type { Cell, RowResult } from "./harness.js";
import type { Row } from "./types.js";

/** The median milliseconds per call a cell shows: wall time if asked or threaded, else CPU time. */
export function cellMs(cell: Cell, useWall: boolean): number | null {
  if (!cell.times || cell.times.length === 0) return null;
  return median(cell.times.map((t) => (useWall ? t.wall : t.cpu)));
}

/** A row's figure from milliseconds per call. */
export function inUnit(row: Row, ms: number): number {
  switch (row.unit) {
    case "µs/step": return (ms * 1000) / row.workPerCall;
    case "ms/step": return ms / row.workPerCall;
    default: return row.workPerCall / (ms * 1e6); // FLOP or bytes per ms -> G per s
  }
}

/** "tfjs-wasm (convnet), tfjs-wasm (lesson10)" -> "tfjs-wasm (convnet, lesson10)". */
function whereText(where: readonly string[]): string {
  const byColumn = new Map<string, string[]>();
  for (const w of where) {
    const [, col, row] = /^(.*) \((.*)\)$/.exec(w)!;
    byColumn.set(col, [...(byColumn.get(col) ?? []), row]);
  }
  const cols = [...byColumn];
  // every column on the same rows: name the rows once
  if (cols.length > 1 && cols.every(([, rows]) => rows.join() === cols[0][1].join())) return `${cols.map(([c]) => c).join(", ")} (${cols[0][1].join(", ")})`;
  return cols.map(([c, rows]) => `${c} (${rows.join(", ")})`).join("; ");
}

const sig = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

export interface TableColumn {
  readonly header: string;
  /** Shown by wall time (multi-threaded columns, or --wall). */
  readonly wall: boolean;
}

export function formatTable(results: readonly RowResult[], columns: readonly TableColumn[]): string {
  const headers = columns.map((c) => c.header);
  // One footnote per distinct text, listing where it applies.
  const notes: { text: string; where: string[] }[] = [];
  const cite = (text: string, where: string): string => {
    let n = notes.findIndex((x) => x.text === text);
    if (n < 0) n = notes.push({ text, where: [] }) - 1;
    notes[n].where.push(where);
    return `[${n + 1}]`;
  };
  const isOurs = (h: string): boolean => h.startsWith("wasmgrad");
  const lines = [
    `| work | ${headers.join(" | ")} | ratio vs best peer |`,
    `| --- | ${headers.map(() => "---:").join(" | ")} | --- |`,
  ];
  for (const { row, cells } of results) {
    const ms = cells.map((c, i) => cellMs(c, columns[i].wall));
    const shown = cells.map((c, i) => {
      const figure = ms[i] !== null ? sig(inUnit(row, ms[i]!)) : c.mark ?? "—";
      return c.note ? `${figure} ${cite(c.note, `${headers[i]} (${row.id})`)}` : figure;
    });
    const best = (pick: (h: string) => boolean): { ms: number; header: string } | null => {
      let b: { ms: number; header: string } | null = null;
      ms.forEach((m, i) => {
        if (m !== null && pick(headers[i]) && (!b || m < b.ms)) b = { ms: m, header: headers[i] };
      });
      return b;
    };
    const ours = best(isOurs), peer = best((h) => !isOurs(h));
    const ratio = ours && peer ? `${(peer.ms / ours.ms).toFixed(2)}× (${peer.header})` : "—";
    lines.push(`| ${row.label} (${row.unit}) | ${shown.join(" | ")} | ${ratio} |`);
  }
  const foot = [
    "",
    `Medians over the rounds of ${columns.every((c) => c.wall) ? "wall time" : `CPU time (process.cpuUsage / Python's process_time) for single-threaded columns and wall time for ${columns.filter((c) => c.wall).map((c) => c.header).join(", ") || "none"}`}.`,
    "ratio vs best peer = the fastest peer's time per call ÷ the faster wasmgrad column's (> 1: wasmgrad is faster).",
    ...notes.map((n, i) => `[${i + 1}] ${n.text}: ${whereText(n.where)}`),
  ];
  return [...lines, ...foot].join("\n");
}
