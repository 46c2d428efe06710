// An asc transform that compiles the standard library's math as if for size (ASC_SHRINK_LEVEL 1)
// while binaryen still optimizes for speed (asconfig's shrinkLevel 0). At level 0 the stdlib's
// float64 exp, log, log2 and pow (and float32 pow) use lookup tables of about 11 KB of f64 bits
// (9.4 KB of the gzipped core, which compress badly); at level 1 they are the table-free fdlibm
// forms, as accurate (< 1 ulp) but slower. The hot float32 kernels do not call them (they have
// their own SIMD routines, kernels/vmath.ts), so only float64 transcendentals and pow pay, and
// asc's --shrinkLevel 1 would also make binaryen inline less on the per-op path.
// It runs after parsing, before the program registers ASC_SHRINK_LEVEL from this option.
export default class SmallMath {
  afterParse() {
    this.program.options.shrinkLevelHint = Math.max(this.program.options.shrinkLevelHint, 1);
  }
}

// The asc arguments that load this transform (build.mjs and size-breakdown.mjs build with them).
// An absolute path: asc resolves a relative one as a package name.
export const smallMathArgs = ["--transform", new URL(import.meta.url).pathname];
