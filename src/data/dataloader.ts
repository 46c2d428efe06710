// torch.utils.data.DataLoader (single process): batches of dataset samples through a sampler.
//
// Random draws follow torch 1.13's order so that a seeded run visits samples in torch's order once
// the generator is torch's: starting an epoch draws the iterator's base seed from the loader's
// generator (or the default one), even without shuffling; RandomSampler then, with no generator,
// draws a seed from the default generator and runs randperm on a fresh Generator seeded with it,
// and with a generator runs randperm on it twice (torch's `randperm(n)[:num_samples % n]` tail).

import { randint, randperm as randpermOp } from "../ops/creation.js";
import { Generator as RandomGenerator } from "../random.js";
import { DTypeError, WasmgradError } from "../errors.js";
import { show as describe } from "../nn/show.js";
import { MAX_SIZE, boolArg, fnArg, optsArg, sizeArg } from "../validate.js";
import { defaultCollate, type Collated } from "./collate.js";
import type { DatasetLike } from "./dataset.js";

/** DataLoader's options (torch.utils.data.DataLoader's keyword arguments batch_size, shuffle, drop_last, collate_fn, generator). */
export interface DataLoaderOptions<T, B> {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  generator?: RandomGenerator;
  /** Makes a batch from a list of samples (torch's collate_fn); `data.defaultCollate` when not given. */
  collateFn?: (samples: T[]) => B;
}

/**
 * The low 32 bits of `torch.empty((), dtype=torch.int64).random_(generator=g)`: random_ on int64
 * takes one 64-bit draw, (first 32-bit draw << 32) | second, so the low word is the second draw.
 * Seeding a Mersenne Twister keeps only those low 32 bits, so they are all a fresh Generator needs.
 * randint over [-2^31, 2^31 - 1) consumes one 32-bit draw per value and returns it offset by -2^31
 * (except the single draw 2^32 - 1, which wraps to 0).
 */
function drawSeed(generator: RandomGenerator | undefined): number {
  const r = randint(-(2 ** 31), 2 ** 31 - 1, [2], { generator }).dataSync() as Int32Array;
  return (r[1] + 2 ** 31) >>> 0;
}

function randperm(n: number, generator: RandomGenerator): number[] {
  return Array.from(randpermOp(n, { generator }).dataSync() as Int32Array);
}

/** Iterable over batches: `for (const [x, y] of loader) ...`. */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: RandomGenerator | undefined;
  /** The function that makes a batch from a list of samples (torch's collate_fn). */
  readonly collateFn: (samples: T[]) => B;

  constructor(dataset: DatasetLike<T>, opts: DataLoaderOptions<T, B> = {}) {
    const op = "DataLoader";
    if (dataset === null || typeof dataset !== "object" || typeof dataset.getItem !== "function" || typeof dataset.len !== "function") {
      throw new DTypeError(`${op}: dataset must have getItem(index) and len(), got ${describe(dataset)}`);
    }
    const o = optsArg<DataLoaderOptions<T, B>>(opts, op, "{ batchSize?, shuffle?, dropLast?, generator?, collateFn? }");
    const bs = o.batchSize ?? 1;
    if (typeof bs !== "number" || !Number.isInteger(bs) || bs <= 0 || bs > MAX_SIZE) {
      throw new WasmgradError(`${op}: batchSize should be a positive integer value, but got batchSize=${describe(bs)}`);
    }
    if (o.generator !== undefined && !(o.generator instanceof RandomGenerator)) throw new DTypeError(`${op}: generator must be a Generator, got ${describe(o.generator)}`);
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = boolArg(o.shuffle ?? false, "shuffle", op);
    this.dropLast = boolArg(o.dropLast ?? false, "dropLast", op);
    this.generator = o.generator;
    this.collateFn = o.collateFn === undefined ? (defaultCollate as unknown as (s: T[]) => B) : fnArg(o.collateFn, "collateFn", op);
  }

  /** The dataset's length, checked: a size (what len() returns is the user's code). */
  private size(): number {
    return sizeArg(this.dataset.len(), "dataset.len()", "DataLoader");
  }

  /** Number of batches per epoch (torch's len(loader)). */
  get length(): number {
    const n = this.size();
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private *indices(): Generator<number> {
    const n = this.size();
    if (!this.shuffle) {
      for (let i = 0; i < n; i++) yield i;
      return;
    }
    if (this.generator === undefined) {
      yield* randperm(n, new RandomGenerator().manualSeed(drawSeed(undefined)));
    } else {
      yield* randperm(n, this.generator);
      randperm(n, this.generator);
    }
  }

  /** Starts an epoch; as torch, creating the iterator draws its base seed right away. */
  [Symbol.iterator](): Iterator<B> {
    drawSeed(this.generator);
    return this.batches();
  }

  private *batches(): Generator<B> {
    let batch: T[] = [];
    for (const i of this.indices()) {
      batch.push(this.dataset.getItem(i));
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }
}
