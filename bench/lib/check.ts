// Correctness before timing: a benchmark of peers that compute different things means nothing.
// Every peer runs the same number of lesson steps from w = 1.0 and must end on the same w.

import { referenceWeight, type Peer } from "./lesson.js";

export const TOLERANCE = 1e-5;

/** Epoch counts at which w is compared: early, while w still moves fast, and the lesson's 100. */
const CHECKPOINTS: readonly number[] = [1, 10, 100];

export interface CheckResult {
  readonly ok: boolean;
  readonly report: string;
}

export async function checkSameWeights(peers: readonly Peer[]): Promise<CheckResult> {
  const lines: string[] = [];
  let ok = true;
  for (const epochs of CHECKPOINTS) {
    const reference = referenceWeight(epochs);
    const weights: number[] = [];
    for (const peer of peers) {
      await peer.activate();
      peer.reset();
      peer.train(epochs);
      weights.push(peer.weight());
      peer.verify();
    }
    // Peers are compared with each other, and with plain float64 JS so that they cannot all agree on a wrong value.
    const spread = Math.max(...weights, reference) - Math.min(...weights, reference);
    const pass = Number.isFinite(spread) && spread <= TOLERANCE;
    ok &&= pass;
    const values = peers.map((p, i) => `${p.name} ${weights[i].toFixed(9)}`).join(", ");
    lines.push(`  w after ${String(epochs).padStart(3)} epoch${epochs === 1 ? " " : "s"} (${String(3 * epochs).padStart(3)} steps): ${values}; float64 JS ${reference.toFixed(9)}` +
      `  -> spread ${spread.toExponential(1)} ${pass ? "ok" : `FAILS (> ${TOLERANCE})`}`);
  }
  return { ok, report: lines.join("\n") };
}
