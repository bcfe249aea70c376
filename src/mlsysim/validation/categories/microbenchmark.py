"""Microbenchmarks: sustained GEMM rate and HBM bandwidth = the hardware registry's peak × its
achievable-efficiency field (`matmul_efficiency`, `memory_efficiency`).

Such measurements are the natural source of those fields. When a field was sourced from the
very record being predicted, the row is reported as circular, not counted as validation.
"""

from __future__ import annotations

from mlsysim.validation.categories._common import circularity, in_unit, lookup
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "microbenchmark"
# Chip named in a record's hardware text -> hardware registry name (first match wins).
_CHIPS = (("gb200", "gb200"), ("b200", "b200"), ("h200", "h200"), ("h100", "h100-sxm"), ("a100", "a100"))


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    hardware = _hardware(str(record.config.get("hardware", "")))
    if "gemm" in quantity:
        precision = str(record.config.get("precision", "bf16"))
        peak = hardware.peak_flops(precision)
        return _scaled(record, hardware, "matmul_efficiency", peak, f"{precision} peak", "flop_rate")
    if "hbm" in quantity or "memory bandwidth" in quantity:
        if hardware.memory_bandwidth is None:
            raise NotExpressible(f"{hardware.name} has no memory bandwidth in the hardware registry")
        return _scaled(record, hardware, "memory_efficiency", hardware.memory_bandwidth, "HBM peak", "bandwidth")
    raise NotExpressible(f"no microbenchmark law matches {record.quantity!r}")


def _scaled(record, hardware, field: str, peak: float, what: str, dimension: str) -> Prediction:
    efficiency = getattr(hardware, field)
    peak_text = f"{in_unit(peak, record.unit, dimension):,.4g} {record.unit}"
    if efficiency is None:
        raise NotExpressible(f"{hardware.name} has no {field} (the achievable fraction of peak) in the hardware "
                             f"registry; its {what} alone is {peak_text}")
    value = in_unit(peak * efficiency, record.unit, dimension)
    call = Call(f"ms.hardware({hardware.key!r})", {}, {what: peak_text, field: f"{efficiency:g}"},
                f"Achievable = peak × {field} (source: {hardware.sources[field]}).")
    return Prediction(value, record.unit, f"{hardware.name}: {what} {peak_text} × {field} {efficiency:g} = "
                      f"{value:,.4g} {record.unit}.", (call,), circular=circularity(record, hardware, field))


def _hardware(text: str):
    lowered = text.lower()
    for needle, name in _CHIPS:
        if needle in lowered:
            return lookup("hardware", name)
    raise NotExpressible(f"no accelerator in the hardware registry matches {text!r}")
