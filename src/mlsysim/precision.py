"""Numeric precisions: canonical names, the bytes one element takes, and the names people use.

TF32 is a compute mode on FP32 storage, so it occupies 4 bytes. Sub-byte formats (FP6, FP4,
INT4) are counted at their packed size, ignoring per-block scale factors.
"""

from __future__ import annotations

from mlsysim.errors import UnknownNameError

BYTES_PER_ELEMENT = {
    "fp64": 8.0, "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0,
    "fp8": 1.0, "int8": 1.0, "fp6": 0.75, "fp4": 0.5, "int4": 0.5,
}
PRECISIONS = tuple(BYTES_PER_ELEMENT)
_ALIASES = {
    "float64": "fp64", "double": "fp64", "float32": "fp32", "float": "fp32", "single": "fp32",
    "bfloat16": "bf16", "float16": "fp16", "half": "fp16", "fp8-e4m3": "fp8", "fp8-e5m2": "fp8",
    "e4m3": "fp8", "float8": "fp8", "mxfp4": "fp4", "nvfp4": "fp4", "mxfp6": "fp6", "w8": "int8",
    "w4": "int4", "16-bit": "bf16", "8-bit": "int8", "4-bit": "int4", "amp-bf16": "bf16",
    "amp-fp16": "fp16",
}


def canonical(name: str, *, parameter: str = "precision") -> str:
    """The canonical precision name for `name` ('bfloat16' -> 'bf16')."""
    key = str(name).strip().lower().replace("_", "-")
    if key in BYTES_PER_ELEMENT:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownNameError("precision", name, PRECISIONS, parameter=parameter)


def bytes_per_element(name: str) -> float:
    return BYTES_PER_ELEMENT[canonical(name)]


def bits(name: str) -> float:
    return 8 * bytes_per_element(name)
