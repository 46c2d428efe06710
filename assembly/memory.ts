// Linear-memory allocator: size classes with one LIFO free list each (the block freed last is
// handed out first, while it is still in cache). Every block is 16-byte aligned (SIMD loads) and a
// freed block is reused by the next request of its class, so a loop that allocates the same shapes
// every step runs in constant memory.
// - up to 272 bytes: multiples of 16, class (bytes - 1) >> 4;
// - up to 64 KiB + 16: 16 bytes more than 8 classes per power of two, so a block wastes less than
//   an eighth, and nothing when it holds a power of two after a 16-byte header (as tensor storage
//   does);
// - larger: runs of 4 KiB units after a 16-byte header that holds the run's length (4 MiB + 16
//   bytes take 4 MiB + 4 KiB). Free runs sit in 8 bins per power of two; a request takes the
//   first run of its bin that is long enough, else new memory, else (memory full) part of any
//   longer free run.
// wasm32 memory ends at 4 GiB (65536 pages), where a 32-bit end address wraps: every end is
// computed in 64 bits, and a request that does not fit gets 0 with every block left intact.
// No managed AssemblyScript objects exist at run time, so this allocator owns all memory from
// __heap_base up; the `stub` runtime never allocates.

const SMALL_MAX: usize = 272;
const SMALL_CLASSES: i32 = 17;
const MEDIUM_MAX: usize = (1 << 16) + 16;
const NUM_CLASSES: i32 = SMALL_CLASSES + 8 * 8; // 8 per power of two from 256 B to 64 KiB
const HEADER: usize = 16;
const UNIT_SHIFT: usize = 12;
const MIN_UNITS: u32 = 17; // the shortest run: MEDIUM_MAX + 1 bytes and the header
const MAX_UNITS: u64 = 1 << 20; // 4 GiB
const NUM_BINS: i32 = 8 * 16; // 8 per power of two from 2^4 to 2^20 units
const LIMIT: u64 = (<u64>1 << 32) - 16; // ends stay below 2^32, so `top` never wraps

// @ts-ignore: decorator
@lazy const freeHeads: usize = memory.data(NUM_CLASSES * 4, 16);
// @ts-ignore: decorator
@lazy const binHeads: usize = memory.data(NUM_BINS * 4, 16);
// @ts-ignore: decorator
@lazy let top: usize = (__heap_base + 15) & ~15;
// Part of a free run taken over when memory is full: small and medium blocks are cut from it.
// @ts-ignore: decorator
@lazy let spareTop: usize = 0;
// @ts-ignore: decorator
@lazy let spareEnd: usize = 0;
// @ts-ignore: decorator
@lazy let liveBytes: usize = 0;
// @ts-ignore: decorator
@lazy let peakBytes: usize = 0;

/** Units (4 KiB) of the run holding `bytes` after its header. */
// @ts-ignore: decorator
@inline function unitsFor(bytes: usize): u64 {
  return (<u64>bytes + HEADER + 0xfff) >> <u64>UNIT_SHIFT;
}

/** Bin of a run of `units` (MIN_UNITS <= units < MAX_UNITS): 8 bins per power of two. */
// @ts-ignore: decorator
@inline function binOf(units: u32): i32 {
  const k = 31 - <i32>clz<u32>(units); // 2^k <= units < 2^(k+1), 4 <= k < 20
  return ((k - 4) << 3) + <i32>((units >> (k - 3)) & 7);
}

/**
 * Size class of a request: (bytes - 1) >> 4 up to 272 bytes, then 8 classes per power of two (plus
 * 16 bytes) up to 64 KiB + 16; larger requests get NUM_CLASSES + the bin of their run.
 */
// @ts-ignore: decorator
@inline export function sizeClass(bytes: usize): i32 {
  if (bytes - 1 < SMALL_MAX) return <i32>((bytes - 1) >> 4);
  if (!bytes) return 0;
  if (bytes > MEDIUM_MAX) {
    const u = unitsFor(bytes);
    return NUM_CLASSES + (u < MAX_UNITS ? binOf(<u32>u) : NUM_BINS);
  }
  const x = bytes - 17;
  const k = 31 - <i32>clz<u32>(<u32>x); // 2^k < bytes - 16 <= 2^(k+1), 8 <= k < 16
  return SMALL_CLASSES + ((k - 8) << 3) + <i32>((x - (<usize>1 << k)) >> (k - 3));
}

/** Bytes of a block of class c < NUM_CLASSES (a multiple of 16, so blocks stay aligned). */
// @ts-ignore: decorator
@inline function classBytes(c: i32): usize {
  if (c < SMALL_CLASSES) return <usize>(c + 1) << 4;
  const k = 8 + ((c - SMALL_CLASSES) >> 3);
  return (<usize>(9 + ((c - SMALL_CLASSES) & 7)) << (k - 3)) + 16;
}

/** Ensures memory reaches `end`; false past 4 GiB or when the engine refuses to grow. */
function reserve(end: u64): bool {
  if (end > LIMIT) return false;
  const pages = memory.size();
  const have = <u64>pages << 16;
  if (end <= have) return true;
  const need = <i32>((end - have + 0xffff) >> 16);
  // Some slack (a quarter of what we have, at most 1 MiB) so that many small requests do not each
  // call grow, without rounding the peak up by much: memory never shrinks.
  if (memory.grow(need + min(pages >> 2, 16)) >= 0) return true;
  return memory.grow(need) >= 0;
}

/** `size` fresh bytes at the top of the heap; 0 when memory cannot grow. */
function bump(size: usize): usize {
  const end = <u64>top + <u64>size;
  if (!reserve(end)) return 0;
  const p = top;
  top = <usize>end;
  return p;
}

function pushRun(run: usize): void {
  const head = binHeads + (<usize>binOf(load<u32>(run)) << 2);
  store<u32>(run + 4, load<u32>(head));
  store<u32>(head, <u32>run);
}

/**
 * A free run from bin `from` or above, cut to `units` (the rest goes back to the bins when it is a
 * run of its own); 0 when there is none.
 */
function takeRun(from: i32, units: u32): usize {
  for (let b = from; b < NUM_BINS; b++) {
    const head = binHeads + (<usize>b << 2);
    const run = <usize>load<u32>(head);
    if (!run) continue;
    store<u32>(head, load<u32>(run + 4));
    const have = load<u32>(run);
    if (have - units >= MIN_UNITS) {
      const rest = run + (<usize>units << UNIT_SHIFT);
      store<u32>(rest, have - units);
      pushRun(rest);
      store<u32>(run, units);
    }
    return run;
  }
  return 0;
}

/** Fresh bytes for a small or medium block: the heap top, else a free run (memory full). */
function fresh(size: usize): usize {
  let p = bump(size);
  if (p) return p;
  if (<u64>spareTop + size > <u64>spareEnd) {
    const units = <u32>unitsFor(size);
    const run = takeRun(0, units < 16 ? 16 : units);
    if (!run) return 0;
    spareTop = run;
    spareEnd = run + (<usize>load<u32>(run) << UNIT_SHIFT);
  }
  p = spareTop;
  spareTop += size;
  return p;
}

function allocLarge(bytes: usize): usize {
  const u = unitsFor(bytes);
  if (u >= MAX_UNITS) return 0;
  const units = <u32>u;
  const b = binOf(units);
  // first fit in the bin, newest first
  let link = binHeads + (<usize>b << 2);
  let run = <usize>load<u32>(link);
  while (run && load<u32>(run) < units) {
    link = run + 4;
    run = <usize>load<u32>(link);
  }
  if (run) {
    store<u32>(link, load<u32>(run + 4));
  } else {
    run = bump(<usize>units << UNIT_SHIFT);
    if (run) store<u32>(run, units);
    else if (!(run = takeRun(b + 1, units))) return 0;
  }
  liveBytes += <usize>load<u32>(run) << UNIT_SHIFT;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return run + HEADER;
}

/** Allocates `bytes` (16-byte aligned, contents undefined); 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  if (failAfter >= 0) {
    if (failAfter == 0) return 0;
    failAfter--;
  }
  if (bytes > MEDIUM_MAX) return allocLarge(bytes);
  const cls = sizeClass(bytes);
  const size = classBytes(cls);
  const head = freeHeads + (<usize>cls << 2);
  let ptr = <usize>load<u32>(head);
  if (ptr) {
    store<u32>(head, load<u32>(ptr));
  } else {
    ptr = fresh(size);
    if (!ptr) return 0;
  }
  liveBytes += size;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return ptr;
}

// Fault injection for tests: after `failAfter` more successful allocations, every allocation fails
// (as when memory cannot grow) until it is set back to -1. One compare on the hot path.
// @ts-ignore: decorator
@lazy let failAfter: i32 = -1;
/** Makes allocations fail after n more succeed (n < 0: never), to test out-of-memory paths. */
export function setAllocFailure(n: i32): void { failAfter = n; }

// memory.fill and memory.copy of a size binaryen cannot see are calls out of WASM in V8 (about 7 ns
// each, measured: as much as a whole alloc + free), so the small clears on the per-op path are
// vector stores instead.
/**
 * Zeroes `bytes` rounded up to 16 at p (16-byte aligned): a block from alloc (its size class is
 * whole 16-byte units) or a scratch array of whole units.
 */
// @ts-ignore: decorator
@inline export function zeroBlock(p: usize, bytes: usize): void {
  for (let q = p, end = p + bytes; q < end; q += 16) v128.store(q, i64x2.splat(0));
}

/** Allocates `bytes` and zero-fills them. */
export function allocZeroed(bytes: usize): usize {
  const ptr = alloc(bytes);
  if (ptr) memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Returns a block obtained from alloc(bytes) with the same `bytes`. */
export function free(ptr: usize, bytes: usize): void {
  if (!ptr) return;
  if (bytes > MEDIUM_MAX) {
    const run = ptr - HEADER;
    liveBytes -= <usize>load<u32>(run) << UNIT_SHIFT;
    pushRun(run);
    return;
  }
  const cls = sizeClass(bytes);
  const head = freeHeads + (<usize>cls << 2);
  store<u32>(ptr, load<u32>(head));
  store<u32>(head, <u32>ptr);
  liveBytes -= classBytes(cls);
}

/** Bytes in live blocks (rounded up to their classes); f64 so that JS reads it right up to 4 GiB. */
export function heapLiveBytes(): f64 { return <f64>liveBytes; }
/** Highest heapLiveBytes() seen. */
export function heapPeakBytes(): f64 { return <f64>peakBytes; }
