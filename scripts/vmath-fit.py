"""Minimax fits behind the polynomial coefficients of assembly/kernels/vmath.ts and vmath64.ts.

Lawson's algorithm (iteratively reweighted least squares converging to the minimax solution) on
Chebyshev nodes, against mpmath references, with the weights that make the error relative to the
final function value. Prints each fit's coefficients (f32-rounded for vmath.ts) and its maximum
relative error in float32 ulps (2^-24) with the rounded coefficients, evaluated exactly.
Run: python3 scripts/vmath-fit.py   (numpy and mpmath; takes about a minute)
"""
import numpy as np
import mpmath as mp

mp.mp.dps = 40
ULP = 2.0 ** -24


def lawson(basis, target, weight, xs, iters=60):
    a = np.array([basis(x) for x in xs])
    w = np.ones(len(xs))
    for _ in range(iters):
        sw = np.sqrt(w) * weight
        c, *_ = np.linalg.lstsq(a * sw[:, None], target * sw, rcond=None)
        err = np.abs(a @ c - target) * weight
        w = w * err
        w /= w.sum()
    return c


def cheb(lo, hi, n=4000):
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def poly(c, x):
    return np.polyval(np.asarray(c, dtype=float)[::-1], x)


def report(name, c, err):
    print(f"{name}: max error {err:.3g} ulp")
    for v in c:
        print(f"  {v!r}")


# exp(r) = 1 + r + r^2 E(r) on |r| <= ln2/2 (2% margin for the reduction's rounding)
a = 0.3466 * 1.02
xs = cheb(-a, a)
c = np.float32(lawson(lambda x: [x ** i for i in range(5)],
                      np.array([float((mp.exp(x) - 1 - x) / x ** 2) for x in xs]),
                      np.array([float(x ** 2 / mp.exp(x)) for x in xs]), xs))
err = max(float(abs(1 + x + x * x * poly(c, x) - mp.exp(x)) / mp.exp(x)) for x in xs) / ULP
report("expm1/exp E0..E4", [float(v) for v in c], err)

# log1p(f) = f - f^2/2 + f^3 L(f) on [sqrt(1/2) - 1, sqrt(2) - 1]
xs = cheb(np.sqrt(0.5) - 1, np.sqrt(2) - 1)
c = np.float32(lawson(lambda x: [x ** i for i in range(8)],
                      np.array([float((mp.log1p(x) - x + x * x / 2) / x ** 3) for x in xs]),
                      np.array([float(abs(x ** 3 / mp.log1p(x))) for x in xs]), xs))
err = max(float(abs(x - x * x / 2 + x ** 3 * poly(c, x) - mp.log1p(x)) / abs(mp.log1p(x))) for x in xs) / ULP
report("log L0..L7", [float(v) for v in c], err)

# tanh(x) = x + x^3 T(x^2) on (0, 0.625)
xs = cheb(1e-4, 0.625)
c = np.float32(lawson(lambda x: [(x * x) ** i for i in range(5)],
                      np.array([float((mp.tanh(x) - x) / x ** 3) for x in xs]),
                      np.array([float(x ** 3 / mp.tanh(x)) for x in xs]), xs))
err = max(float(abs(x + x ** 3 * poly(c, x * x) - mp.tanh(x)) / mp.tanh(x)) for x in xs) / ULP
report("tanh T0..T4", [float(v) for v in c], err)

# R(t) = Phi(-t) e^(t^2/2) = u P(u), u = 1 / (1 + 0.3 t), t in [0, 15] (f64 coefficients)
ts = cheb(0, 15.0, 3000)
r = np.array([float(0.5 * mp.erfc(t / mp.sqrt(2)) * mp.exp(t * t / 2)) for t in ts])
u = 1 / (1 + 0.3 * ts)
c = lawson(lambda x: [x ** i for i in range(12)], r / u, u / r, u)
err = np.max(np.abs(u * poly(c, u) - r) / r) / ULP
report("normal tail P0..P11 (f64)", [float(v) for v in c], err)
