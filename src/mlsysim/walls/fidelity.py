"""Wall 13, fidelity: how much smaller compression makes a model, and whether it also runs faster."""

from __future__ import annotations

import numpy as np

from mlsysim import precision as _precision
from mlsysim.arrays import scalar
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, equals, where


def _resolved(source_bits, bits, sparsity, sparsity_type, **_):  # no bits: unquantized; 2:4 alone: s = 0.5
    sparsity = sparsity if sparsity is not None else where(equals(sparsity_type, "2:4"), 0.5, 0.0)
    return (bits if bits is not None else source_bits), sparsity


def _method_matches(v):
    (bits, sparsity), method = _resolved(**v), v["method"]
    quantized, pruned = bits < v["source_bits"], sparsity > 0
    return method is None or where(equals(method, "quantization"), quantized & ~pruned,
                                      where(equals(method, "pruning"), pruned & ~quantized, quantized & pruned))


def peak_at_width(hardware, bits, sparse=False):  # the fastest dense (or 2:4) peak `bits` wide; else NaN
    if isinstance(hardware, np.ndarray):  # a sweep over hardware, point by point
        return np.vectorize(lambda h, b: peak_at_width(h, b, sparse), otypes=[float])(hardware, bits)
    widths = _peaks_by_width(hardware, sparse)
    if not widths or scalar(bits):
        return widths.get(float(bits), np.nan) if widths else np.nan
    return np.select([bits == width for width in widths], list(widths.values()), np.nan)


_WIDTHS: dict = {}


def _peaks_by_width(hardware, sparse: bool) -> dict:
    """{bits: fastest peak of that width} of a chip, remembered per chip (specs are immutable)."""
    known = _WIDTHS.get((id(hardware), sparse))
    if known is not None and known[0] is hardware:
        return known[1]
    widths = {}
    for name, rate in (getattr(hardware, "peak_sparse" if sparse else "peak", None) or {}).items():
        widths[_precision.bits(name)] = max(rate, widths.get(_precision.bits(name), 0.0))
    _WIDTHS[(id(hardware), sparse)] = (hardware, widths)
    return widths


def evaluate(source_bits, bits, sparsity, sparsity_type, method, hardware, phase):
    bits, sparsity = _resolved(source_bits, bits, sparsity, sparsity_type)
    kept = 1.0 - sparsity
    dense_source, dense = peak_at_width(hardware, source_bits), peak_at_width(hardware, bits)
    sparse = peak_at_width(hardware, bits, sparse=True)
    # Narrow math counts only where the chip has it (else weights are widened); a missing source rate: bit ratio.
    precision = where(np.isnan(dense), 1.0,
                         where(np.isnan(dense_source), source_bits / bits, dense / dense_source))
    structured = equals(sparsity_type, "structured")
    two_four = equals(sparsity_type, "2:4") & ~np.isnan(sparse) & ~np.isnan(dense)
    # Structured pruning shrinks the matrices; only sparse tensor cores skip 2:4 zeros (A100 whitepaper).
    skipping = where(structured, 1.0 / kept, where(two_four, sparse / dense, 1.0))
    memory = source_bits / bits * where(structured | two_four, 1.0 / kept, 1.0)
    speedup = where(equals(phase, "decode"), memory, precision * skipping)
    outputs = {"compression": source_bits / bits / kept, "bits_per_weight": bits * kept, "memory_speedup": memory,
               "precision_speedup": precision, "sparsity_speedup": skipping,
               "compute_speedup": precision * skipping, "speedup": speedup}
    outputs = {k: (float(x) if scalar(x) else x) for k, x in outputs.items()}
    outputs["regime"] = choose(outputs["compression"] <= 1.0, "unchanged",
                               choose(speedup > 1.0 + 1e-9, "smaller and faster", "smaller but not faster"))
    return outputs


def _why(r) -> list[str]:
    v, o = r.inputs, r.outputs
    (bits, sparsity), chip = _resolved(**v), getattr(v["hardware"], "name", None)
    narrow = two_four = "no hardware given, so no narrow or sparse math is assumed"
    if chip is not None:
        narrow = (f"{chip} has faster {bits:g}-bit math" if o["precision_speedup"] > 1 else
                  f"{chip} has no {bits:g}-bit math, so weights are widened before the multiply")
        two_four = f"{chip} {'skips' if o['sparsity_speedup'] > 1 else 'has no sparse math to skip'} 2:4 zeros"
    zeros = {"unstructured": "unstructured zeros are still stored, read and multiplied by dense kernels",
             "structured": "whole rows, channels or heads are removed, so the matrices shrink", "2:4": two_four}
    reasons = ([narrow] if bits < v["source_bits"] else []) + ([zeros[v["sparsity_type"]]] if sparsity > 0 else [])
    return list(dict.fromkeys(reasons))


def explain(r) -> str:
    reasons = _why(r) if all(np.ndim(x) == 0 for x in r.outputs.values()) else []
    f = r.fmt
    return (f"{f('source_bits')} → {f('bits_per_weight')} bits per weight is {f('compression')}× smaller, "
            f"{f('memory_speedup')}× faster when memory-bound and {f('compute_speedup')}× when compute-bound; "
            f"{f('phase')} gets {f('speedup')}×: {f('regime')}" + (f" ({'; '.join(reasons)})." if reasons else "."))


WALL = Wall(
    number=13,
    slug="fidelity",
    title="The Fidelity Wall (compression)",
    domain="algorithm",
    question="How much smaller does compression make a model, and does it actually run faster?",
    equation="compression = source_bits/bits × 1/(1 − sparsity);  speedup = bytes saved (memory-bound) "
             "or the faster math the chip really has (compute-bound)",
    latex=r"\text{compression} = \frac{b_\text{source}}{b}\cdot\frac{1}{1-s}",
    explanation=(
        "Fewer bits per weight (quantization) and fewer weights (pruning) both shrink a model: FP32 to INT8 is "
        "4× smaller, 50 % sparsity 2×. Smaller is not faster: memory-bound work (decoding) gains the bytes saved, "
        "compute-bound work only where the chip has faster math for the new format (narrower tensor-core types, "
        "sparse tensor cores for 2:4). Scattered zeros are still multiplied; removing whole rows shrinks GEMMs."),
    inputs=[
        Input("source_bits", "number", "bits per weight before compression", default=32, low=1, high=64),
        Input("bits", "number", "bits per weight after quantization (default: source_bits, no quantization)",
              default=None, low=1, high=64, typical=(2, 16)),
        Input("sparsity", "fraction", "fraction of weights pruned (default 0, or 50 % for 2:4)", default=None,
              low=0, high=1, high_open=True, typical=(0.0, 0.9)),
        Input("sparsity_type", "choice", "pattern of the zeros: scattered, whole rows/channels, or 2 of every 4",
              default="unstructured", choices=("unstructured", "structured", "2:4")),
        Input("method", "choice", "compression applied, checked against bits and sparsity (default: inferred)",
              default=None, choices=("quantization", "pruning", "both")),
        Input("hardware", "hardware", "accelerator whose low-precision and 2:4 sparse math decide the "
              "compute speedup (none: assume neither)", default=None),
        Input("phase", "choice", "decode is memory-bound (reads every weight per token); prefill and training "
              "are compute-bound", default="decode", choices=("decode", "prefill")),
    ],
    outputs=[
        Output("compression", "number", "storage ratio: source_bits/bits × 1/(1 − sparsity)"),
        Output("bits_per_weight", "number", "stored bits per original weight, ignoring sparse indices"),
        Output("memory_speedup", "number", "fewer bytes read by memory-bound work"),
        Output("precision_speedup", "number", "faster math from the narrower format, where the chip has it"),
        Output("sparsity_speedup", "number", "faster math from skipping zeros"),
        Output("compute_speedup", "number", "speedup of compute-bound work: precision × sparsity"),
        Output("speedup", "number", "speedup of the phase asked about"),
        Output("regime", "text", "unchanged, smaller and faster, or smaller but not faster"),
    ],
    constraints=[
        Constraint(lambda v: v["bits"] is None or v["bits"] <= v["source_bits"], "bits: {bits} is more than "
                   "source_bits ({source_bits}); quantization only removes bits", "bits"),
        Constraint(lambda v: v["sparsity"] is None or ~equals(v["sparsity_type"], "2:4") | (v["sparsity"] == 0.5),
                   "sparsity: 2:4 keeps 2 of every 4 weights, so sparsity is 50 %, not {sparsity}", "sparsity"),
        Constraint(_method_matches, "method: {method} disagrees with the inputs; quantization needs bits < "
                   "source_bits and no sparsity, pruning sparsity > 0 and no bits, both needs both", "method"),
    ],
    regimes=("unchanged", "smaller and faster", "smaller but not faster"),
    evaluate=evaluate,
    explain=explain,
    headline="compression",
    examples=[
        Example({"source_bits": 32, "bits": 8}, {"compression": 4.0, "memory_speedup": 4.0},
                source="spec, Wall 13: FP32 → INT8 is 4× smaller"),
        Example({"sparsity": "50%", "hardware": "h100", "phase": "prefill"},
                {"compression": 2.0, "compute_speedup": 1.0, "speedup": 1.0},
                source="spec, Wall 13: unstructured pruning saves storage but gives no speedup on GPU GEMM"),
        Example({"source_bits": 16, "sparsity_type": "2:4", "hardware": "h100", "phase": "prefill"},
                {"compression": 2.0, "compute_speedup": 2.0}, source="H100 datasheet: 1,979 TFLOP/s BF16 2:4-sparse"),
        Example({"source_bits": 16, "bits": 4, "hardware": "h100", "phase": "prefill"},
                {"compute_speedup": 1.0, "memory_speedup": 4.0}, source="H100 datasheet: no 4-bit tensor-core math"),
    ],
    caveats=("Ignores the accuracy cost, sparse-index and scale-factor overhead (2:4 adds 2 bits per kept "
             "value), activations and KV cache, and sparse kernels that can win at very high sparsity."),
    sources=("NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020): fine-grained 2:4 structured sparsity",
             "NVIDIA H100 Tensor Core GPU datasheet (2023): dense and sparse peaks per precision"),
)
