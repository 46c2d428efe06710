// Times the peers in alternating rounds with tinybench. Every round runs each peer for the same
// time budget, so slow drift of the machine (thermal, other load) hits all peers alike; the peer
// order rotates from round to round so no peer always runs right after the same neighbour.

import { Bench } from "tinybench";
import { X_DATA, type Peer } from "./lesson.js";
import type { BenchOptions } from "./options.js";

/** µs per inner iteration of each peer, one entry per round, in round order. */
export type RoundTimes = Map<string, number[]>;

export async function timeInRounds(peers: readonly Peer[], opts: BenchOptions, onRound?: (round: number) => void): Promise<RoundTimes> {
  const times: RoundTimes = new Map(peers.map((p) => [p.name, []]));
  const iterationsPerCall = opts.epochsPerCall * X_DATA.length;

  for (let round = 0; round < opts.rounds; round++) {
    const order = peers.map((_, i) => peers[(i + round) % peers.length]);
    const bench = new Bench({
      time: opts.timeMs,
      warmupTime: opts.warmupMs,
      // One call already runs thousands of lesson steps: the time budget, not a count, should rule.
      iterations: 1,
      warmupIterations: 1,
      throws: true,
    });
    for (const peer of order) {
      bench.add(peer.name, () => peer.train(opts.epochsPerCall), {
        async: false,
        beforeAll: async () => {
          // Garbage left by the previous peer must not be collected on this peer's clock.
          globalThis.gc?.();
          await peer.activate();
        },
        // Untimed: every call replays the lesson from w = 1.0.
        beforeEach: () => peer.reset(),
        afterAll: () => peer.verify(),
      });
    }
    await bench.run();

    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== "completed") {
        const why = result.state === "errored" ? result.error.message : result.state;
        throw new Error(`${task.name}: benchmark did not complete (${why})`);
      }
      // Mean, not median, of the calls: garbage collection is part of a peer's real cost.
      times.get(task.name)!.push((result.latency.mean * 1000) / iterationsPerCall);
    }
    onRound?.(round);
  }
  return times;
}
