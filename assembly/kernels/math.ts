// Scalar math that must follow C's powf where AssemblyScript's Mathf differs.

/** x ** y with C99's special cases: 1 ** y = 1 (even NaN), x ** 0 = 1, (-1) ** (+-inf) = 1. */
// @ts-ignore: decorator
@inline export function powf(x: f32, y: f32): f32 {
  if (x == 1 || y == 0) return 1;
  if (x == -1 && Mathf.abs(y) == Infinity) return 1;
  return Mathf.pow(x, y);
}
