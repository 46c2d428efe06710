// The shapes shared by the comparison table's rows, peers and harness.

/** A float32 input every peer builds its tensors from, so that all of them compute the same thing. */
export interface Arr {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type Inputs = Readonly<Record<string, Arr>>;

export type Unit = "µs/step" | "ms/step" | "GFLOP/s" | "GB/s";

/** One peer's instance of a row: a workload on tensors it owns. */
export interface Case {
  /** One timed call (for the lesson loop, many steps; elsewhere one step or one op). */
  step(): void | Promise<void>;
  /** Values of the latest step's result (a loss, a few output elements), to compare across peers. */
  probe(): readonly number[] | Promise<readonly number[]>;
  dispose(): void;
}

/** Thrown by a row for a peer that cannot express its work; the message goes in a footnote. */
export class Unsupported extends Error {}

export type JsLibrary = "wasmgrad" | "tfjs" | "jax-eager" | "jax-jit";

export interface Row {
  /** Used by --only and by the PyTorch twin (bench/torch_bench.py has a function per id). */
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  /** Per call: steps for the time units, FLOPs for GFLOP/s, bytes moved for GB/s. */
  readonly workPerCall: number;
  /** Relative tolerance of the agreement check between peers. */
  readonly rtol: number;
  inputs(): Inputs;
  /**
   * Plain-JS float64 values for the probes after the first step (a prefix of them is enough), so
   * that the peers cannot all agree on a wrong value.
   */
  reference?(inputs: Inputs): readonly number[];
  make(lib: JsLibrary, inputs: Inputs): Case | Promise<Case>;
  /** What bench/torch_bench.py runs for this row (its kind and parameters); absent = no torch twin. */
  readonly torch?: Readonly<Record<string, unknown>>;
  /** A size that must not grow during the row's timing (wasmgrad's WASM memory for a*b+c), and how to print it. */
  watch?(): { readonly bytes: number; readonly text: string };
}
