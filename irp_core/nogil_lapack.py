"""A damped Gram matrix's Cholesky inverse without holding the GIL, so subsets invert side by side.

scipy's LAPACK wrappers (``scipy.linalg.lapack``) hold the GIL while LAPACK runs, so the ω subsets'
inverses ran one after the other. scipy also exports the same routines to Cython as C function
pointers (``scipy.linalg.cython_lapack``); called through ctypes, which releases the GIL around a
foreign call, they run on the core's threads at once. Same library, same routine: the same bits.
Where those pointers cannot be had, :data:`AVAILABLE` is False and the core keeps the wrappers.
"""

from __future__ import annotations

import ctypes

import numpy as np

_INT = ctypes.POINTER(ctypes.c_int)
# LAPACK's xPOTRF and xPOTRI: (uplo, n, a, lda, info)
_ROUTINE = ctypes.CFUNCTYPE(None, ctypes.c_char_p, _INT, ctypes.c_void_p, _INT, _INT)


def _routine(name: str):
    from scipy.linalg import cython_lapack

    capsule = cython_lapack.__pyx_capi__[name]
    # own prototypes, rather than setting argtypes on the shared ctypes.pythonapi functions
    get_name = ctypes.PYFUNCTYPE(ctypes.c_char_p, ctypes.py_object)(("PyCapsule_GetName", ctypes.pythonapi))
    get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
        ("PyCapsule_GetPointer", ctypes.pythonapi))
    return _ROUTINE(get_pointer(capsule, get_name(capsule)))


try:
    _POTRF, _POTRI = _routine("dpotrf"), _routine("dpotri")
    AVAILABLE = True
except Exception:  # noqa: BLE001 - another scipy build: the core falls back to scipy's wrappers
    AVAILABLE = False


def cholesky_inverse_upper(a: np.ndarray) -> int:
    """In place: the upper triangle of the Fortran-ordered float64 square ``a`` becomes that of
    ``a^-1`` (dpotrf, then dpotri); the strict lower triangle is not touched. Returns LAPACK's
    info: 0 on success, > 0 when ``a`` is not numerically positive definite."""
    if not (a.flags.f_contiguous and a.dtype == np.float64 and a.ndim == 2 and a.shape[0] == a.shape[1]):
        raise ValueError("cholesky_inverse_upper needs a square, Fortran-ordered float64 array")
    n, info = ctypes.c_int(a.shape[0]), ctypes.c_int(0)
    pointer = a.ctypes.data
    _POTRF(b"U", ctypes.byref(n), pointer, ctypes.byref(n), ctypes.byref(info))
    if info.value == 0:
        _POTRI(b"U", ctypes.byref(n), pointer, ctypes.byref(n), ctypes.byref(info))
    return int(info.value)
