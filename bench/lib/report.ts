// Formats the results as a plain-text table.

import { median, ratios } from "./stats.js";
import type { RoundTimes } from "./rounds.js";

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [pad(header, widths), rule, ...rows.map((r) => pad(r, widths))].join("\n");
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);
const grouped = (x: number): string => Math.round(x).toLocaleString("en-US");

/** Medians over rounds per peer; ratios are taken within each round first, then the median of those. */
export function formatResults(times: RoundTimes, baseline: string): string {
  const base = times.get(baseline);
  if (!base) throw new Error(`no times for baseline ${baseline}`);
  const rows = [...times].map(([name, perRound]) => {
    const us = median(perRound);
    const ratio = name === baseline ? "1.00" : fixed(median(ratios(perRound, base)), 2);
    const spread = `${fixed(Math.min(...perRound), 2)}–${fixed(Math.max(...perRound), 2)}`;
    return [name, fixed(us, 2), spread, grouped(1e6 / us), `${ratio}×`];
  });
  return table(["peer", "µs/iteration", "range over rounds", "iterations/s", `time ÷ ${baseline}`], rows);
}

export function formatRounds(times: RoundTimes): string {
  const rounds = Math.max(...[...times.values()].map((t) => t.length));
  const header = ["peer", ...Array.from({ length: rounds }, (_, r) => `round ${r + 1}`)];
  return table(header, [...times].map(([name, perRound]) => [name, ...perRound.map((us) => fixed(us, 2))]));
}

export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${fixed(bytes / (1 << 20), 2)} MiB` : `${fixed(bytes / 1024, 1)} KiB`;
}
