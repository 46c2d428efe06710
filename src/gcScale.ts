// How far the forced-GC threshold of lifetime.ts is raised above gcHeapBytes.
// A forced GC costs in proportion to the whole JS heap, not to the tensors it finds: ~3.5 ms in a
// small program, ~20 ms beside another library's 20 MB heap (measured with --trace-gc). A loop
// that makes a few MB of temporaries per step (a CNN) can then spend half its time in forced GCs.
// The threshold scales with their share of the time (smoothed over collections): past 0.1 it
// doubles, up to 2x gcHeapBytes (the MLP loop of test/memory/mlp.mjs alone: ~0.25 at 1x, ~0.14
// at 2x), and up to 4x past 0.4 (a loop that does little but make large temporaries) or when the
// JS heap that every collection marks is itself past BIG_JS_HEAP times gcHeapBytes: beside
// another library's 20-30 MB heap a collection takes 12-27 ms, and a CNN making 5 MB of
// temporaries a step spent a quarter of its time in them at 2x. It halves back as the share falls
// below the tier it rose by, and below 0.05. Only collections that free large tensors
// (LARGE_FREED bytes each on average) raise it: a loop of tiny ones (the lesson) runs slower with
// a larger heap, its table and blocks falling out of cache (bench:alone 2.75 -> 3.50 µs a step
// at 2x).
export const GC_SHARE = 0.1;
export const LARGE_FREED = 4096;
export const BIG_JS_HEAP = 1.5;
const scaleLimit = (share: number, jsHeap: number): number => (share > 0.4 || jsHeap > BIG_JS_HEAP ? 4 : 2);

/**
 * The threshold's next scale (1, 2 or 4) after a collection: `share` is the smoothed share of the
 * time in forced collections, `freedBytes` and `freedTensors` what this one released, `jsHeap`
 * the JS heap's size after it in units of gcHeapBytes.
 */
export function nextScale(scale: number, share: number, freedBytes: number, freedTensors: number, jsHeap = 0): number {
  const large = freedBytes > LARGE_FREED * Math.max(freedTensors, 1);
  const limit = large ? scaleLimit(share, jsHeap) : 1;
  if (share > GC_SHARE && scale < limit) return scale * 2;
  if (scale > 1 && (scale > limit || share < GC_SHARE / 2)) return scale / 2;
  return scale;
}

/**
 * The heap size past which a check forces a GC: gcHeapBytes times the scale, or half as much again
 * as the heap held after the last collection (`baseline`) plus half of what the scale adds to
 * gcHeapBytes, whichever is larger. Without the second part's own growth, a loop of large
 * temporaries beside more than gcHeapBytes of kept tensors collected just as often whatever share
 * of its time the collections took (a*b+c on 1M floats beside tfjs and jax-js in `npm run bench`).
 * It grows by gcHeapBytes, not by the baseline: a baseline measured in the middle of a step holds
 * that step's temporaries too (up to 32 MiB beside 8 MiB kept in test/memory/temps.mjs), and twice
 * that would carry such a loop past its 96 MiB bound.
 */
export function gcThreshold(gcHeapBytes: number, scale: number, baseline: number): number {
  return Math.max(gcHeapBytes * scale, baseline * 1.5 + (scale - 1) * gcHeapBytes / 2);
}
