"""The logistic sigmoid and its derivative, safe on the whole floating-point range.

The handwritten page derives sigma'(x) = sigma(x) (1 - sigma(x)). To check that
identity numerically we need a sigmoid that is itself trustworthy everywhere:
it must not overflow, must not raise or warn under ``np.errstate(all="raise")``
(which also traps *underflow*), and must keep the subnormal tail of
sigma(x) ~ e^x for very negative x instead of flushing it to zero.

How: every exponential is taken of a non-positive argument, -|x|, so it never
overflows (the two-branch form: 1 / (1 + e^{-x}) for x >= 0, e^x / (1 + e^x)
for x < 0). Where the result would fall below the smallest *normal* number of
the output type, it is rebuilt from the log domain as an integer multiple of
the smallest subnormal; the final scaling by a power of two is then exact, so
no underflow is signalled. All arithmetic runs in float64; float32 (and
float16) inputs are widened exactly and the result rounded once to the input's
type.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# ln 2 split so that k * LN2_HI is exact for |k| < 2**21 (the fdlibm constants).
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10

FloatLike = float | npt.ArrayLike
_ALLOWED = (np.float16, np.float32, np.float64)


def _as_float64(x: FloatLike) -> tuple[np.ndarray, np.dtype]:
    """``x`` widened to float64, with the floating type the result must have."""
    arr = np.asarray(x)
    if arr.dtype.kind in "biu" or arr.dtype == np.dtype(object):
        arr = arr.astype(np.float64)
    if arr.dtype.type not in _ALLOWED:
        raise TypeError(f"sigmoid supports float16, float32 and float64, not {arr.dtype}")
    return arr.astype(np.float64), arr.dtype


def _finish(out: np.ndarray, like: FloatLike) -> np.ndarray:
    """A 0-d result as a numpy scalar, so scalars in give scalars out."""
    return out[()] if np.ndim(like) == 0 else out


def exp_nonpositive(t: np.ndarray, dtype: npt.DTypeLike) -> np.ndarray:
    """exp(t) for float64 ``t <= 0``, rounded to ``dtype``, never signalling underflow.

    Results at or above the type's smallest normal number come from ``np.exp``.
    Below it, exp(t) = n * q with q = 2^-k the smallest subnormal and
    n = rint(exp(t + k ln 2)). The shift is applied as
    exp(t + k LN2_HI) * exp(k LN2_LO): the first sum is exact (Sterbenz: t is
    within a factor 2 of -k LN2_HI in the tail), so no rounding of a large
    argument spoils the last bits. ``n * q`` is exact, hence no underflow flag.
    """
    info = np.finfo(dtype)
    out = np.empty(t.shape, dtype=dtype)
    tail = t < np.log(float(info.smallest_normal)) + 1.0
    main = ~tail
    out[main] = np.exp(t[main])
    if tail.any():
        k = -int(np.log2(float(info.smallest_subnormal)))
        # Below -k ln 2 - 40 the result rounds to n = 0; clipping keeps exp() normal.
        head = np.maximum(t[tail], -k * LN2_HI - 40.0) + k * LN2_HI
        n = np.rint(np.exp(head) * np.exp(k * LN2_LO))
        out[tail] = n.astype(dtype) * np.asarray(info.smallest_subnormal, dtype=dtype)
    return out


def _narrow(values: np.ndarray, x64: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round float64 ``values`` ~ exp(-|x|) in their tail to ``dtype`` without underflow.

    Used for outputs that equal e^{-|x|} to full precision wherever they fall
    below the smallest normal number of ``dtype`` (sigma for x < 0, sigma').
    """
    if dtype == np.float64:
        return values
    out = np.empty(values.shape, dtype=dtype)
    tiny = values < float(np.finfo(dtype).smallest_normal)
    out[~tiny] = values[~tiny]
    out[tiny] = exp_nonpositive(-np.abs(x64[tiny]), dtype)
    return out


def sigmoid(x: FloatLike) -> np.ndarray:
    """sigma(x) = 1 / (1 + e^{-x}), stable and silent for every float, +-inf included.

    The output has the input's floating type (integers give float64); NaN
    stays NaN.
    """
    x64, dtype = _as_float64(x)
    e = exp_nonpositive(-np.abs(x64), np.float64)  # e^{-|x|} in (0, 1]
    s = np.where(x64 >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return _finish(_narrow(s, x64, dtype), x)


def sigmoid_derivative_product(x: FloatLike) -> np.ndarray:
    """sigma(x) (1 - sigma(x)), the page's identity, evaluated in the input's type.

    This is the formula under test: for large positive x, 1 - sigma(x) cancels
    (it is exactly 0 once sigma(x) rounds to 1) although sigma'(x) > 0.
    """
    s = np.asarray(sigmoid(x))
    one = np.asarray(1.0, dtype=s.dtype)
    return _finish(s * (one - s), x)


def sigmoid_derivative_direct(x: FloatLike) -> np.ndarray:
    """sigma'(x) = e^{-|x|} / (1 + e^{-|x|})^2, free of cancellation: the reference formula.

    Even in |x| and built from e^{-|x|} <= 1 only, it is accurate to a few
    ulps down to the subnormal range in either type.
    """
    x64, dtype = _as_float64(x)
    e = exp_nonpositive(-np.abs(x64), np.float64)
    d = e / ((1.0 + e) * (1.0 + e))
    return _finish(_narrow(d, x64, dtype), x)
