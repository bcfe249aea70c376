"""Accelerator specs: peak FLOP/s per precision (dense), memory, interconnect, power and price.

Peak figures are dense; vendors often headline 2:4-structured-sparse numbers (twice dense), and
those are kept apart in `peak_sparse`. Bandwidths of interconnects are per device and per
direction (NVLink 4's "900 GB/s" bidirectional is 450 GB/s each way).

Calibrated fractions of peak are measured, sourced fields: `matmul_efficiency` is the achievable
fraction of the dense BF16 (or the chip's headline) matmul peak; `matmul_efficiency_by_precision`
holds the same fraction measured at other precisions (each against that precision's own dense
peak), and `matmul_fraction(precision)` picks the precision's own value, else the BF16 one.
`attention_efficiency` and `attention_backward_efficiency` are a fused-attention kernel's forward
and backward TFLOP/s as a fraction of the dense BF16 peak, with FLOPs counted as the kernel's
authors count them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim import precision as _precision
from mlsysim.errors import InvalidInputError
from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

CATEGORIES = ("datacenter-gpu", "tpu", "accelerator", "wafer-scale", "edge", "mobile", "desktop",
              "microcontroller", "cpu")
_QUANTITIES = {
    "memory": "bytes", "memory_bandwidth": "bandwidth", "sram": "bytes",
    "scale_up_bandwidth": "bandwidth", "scale_out_bandwidth": "bandwidth",
    "injection_bandwidth": "bandwidth", "tdp": "power", "idle_power": "power", "price": "money",
    "matmul_efficiency": "fraction", "memory_efficiency": "fraction", "attention_efficiency": "fraction",
    "attention_backward_efficiency": "fraction", "flash2_attention_efficiency": "fraction",
    "launch_overhead": "time",
}
_FIELDS = ("name", "vendor", "category", "year", "aliases", "notes", "peak", "peak_sparse",
           "matmul_efficiency_by_precision", "scale_up_fabric", "scale_out_fabric", "devices_per_node",
           "source", "sources", *_QUANTITIES)
_TABLES = ("peak", "peak_sparse", "matmul_efficiency_by_precision")


@dataclass(frozen=True)
class Hardware:
    """One accelerator. Quantities are SI floats; None where the vendor publishes no figure."""

    key: str
    name: str
    vendor: str = ""
    category: str = "datacenter-gpu"
    year: int | None = None
    peak: Mapping[str, float] = field(default_factory=dict)
    peak_sparse: Mapping[str, float] = field(default_factory=dict)
    memory_bytes: float | None = None
    memory_bandwidth: float | None = None
    sram_bytes: float | None = None
    scale_up_bandwidth: float | None = None
    scale_out_bandwidth: float | None = None
    scale_up_fabric: str = ""
    scale_out_fabric: str = ""
    devices_per_node: int | None = None
    injection_bandwidth: float | None = None
    tdp: float | None = None
    idle_power: float | None = None
    price: float | None = None
    matmul_efficiency: float | None = None
    memory_efficiency: float | None = None
    attention_efficiency: float | None = None
    attention_backward_efficiency: float | None = None
    # FlashAttention-2's fraction of the BF16 peak (forward and backward together), where the
    # chip's best fused kernel (attention_efficiency) is a later one, e.g. FlashAttention-3 on Hopper.
    flash2_attention_efficiency: float | None = None
    matmul_efficiency_by_precision: Mapping[str, float] = field(default_factory=dict)
    launch_overhead: float | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def peak_flops(self, precision: str = "bf16", *, sparse: bool = False) -> float:
        """Peak FLOP/s at `precision` (dense unless `sparse=True`, i.e. 2:4 structured)."""
        name = _precision.canonical(precision)
        table = self.peak_sparse if sparse else self.peak
        if name in table:
            return table[name]
        kind = "2:4-sparse " if sparse else ""
        have = ", ".join(table) or "none"
        raise InvalidInputError(f"precision: {self.name} has no {kind}{name} peak; it has: {have}",
                                parameter="precision")

    def matmul_fraction(self, precision: str = "bf16") -> float:
        """Achievable fraction of the dense `precision` matmul peak: the precision's own measured
        fraction, else `matmul_efficiency` (measured at BF16), else 1.0 (the nominal peak)."""
        name = _precision.canonical(precision)
        if name in self.matmul_efficiency_by_precision:
            return self.matmul_efficiency_by_precision[name]
        return self.matmul_efficiency if self.matmul_efficiency is not None else 1.0

    def has_precision(self, precision: str, *, sparse: bool = False) -> bool:
        return _precision.canonical(precision) in (self.peak_sparse if sparse else self.peak)

    @property
    def supports_structured_sparsity(self) -> bool:
        """Whether the chip has 2:4 (N:M) sparse math, i.e. publishes sparse peaks."""
        return bool(self.peak_sparse)

    @property
    def ridge_point(self) -> float:
        """FLOPs per byte at which BF16 (or the best dense) math and HBM bandwidth balance."""
        if not self.peak or not self.memory_bandwidth:
            raise InvalidInputError(f"hardware: {self.name} publishes no peak FLOP/s or memory bandwidth, "
                                    f"so it has no ridge point", parameter="hardware")
        best = self.peak.get("bf16") or max(self.peak.values())
        return best / self.memory_bandwidth

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        parts = [self.name]
        if self.peak:
            top = "bf16" if "bf16" in self.peak else next(iter(self.peak))
            parts.append(f"{q(self.peak[top], 'flop_rate')} {top}")
        if self.memory_bytes:
            bandwidth = f" at {q(self.memory_bandwidth, 'bandwidth')}" if self.memory_bandwidth else ""
            parts.append(f"{q(self.memory_bytes, 'bytes')}{bandwidth}")
        if self.tdp:
            parts.append(q(self.tdp, "power"))
        return ", ".join(parts)


def from_record(key: str, record: Mapping[str, Any]) -> Hardware:
    fields.check_keys(key, record, _FIELDS)
    values = {name: fields.quantity(key, record, name, dim) for name, dim in _QUANTITIES.items()}
    peak = fields.table(key, record, "peak", "flop_rate", keys=_precision.canonical)
    peak_sparse = fields.table(key, record, "peak_sparse", "flop_rate", keys=_precision.canonical)
    matmul_by_precision = fields.table(key, record, "matmul_efficiency_by_precision", "fraction",
                                       keys=_precision.canonical)
    for name, value in matmul_by_precision.items():
        if value > 1:
            raise InvalidInputError(f"{key}.matmul_efficiency_by_precision.{name}: {value!r} is a fraction "
                                    f"of peak and must be at most 1", parameter="matmul_efficiency_by_precision")
    numeric = [n for n, v in values.items() if v is not None]
    numeric += [f"{group}.{p}" for group, table in (("peak", peak), ("peak_sparse", peak_sparse),
                                                    ("matmul_efficiency_by_precision", matmul_by_precision))
                for p in table]
    sources = read_sources(key, _with_dotted_sources(record), numeric)
    return Hardware(
        key=key,
        name=fields.text(key, record, "name", default=key),
        vendor=fields.text(key, record, "vendor"),
        category=fields.text(key, record, "category", default="datacenter-gpu", choices=CATEGORIES),
        year=fields.integer(key, record, "year"),
        peak=peak,
        peak_sparse=peak_sparse,
        memory_bytes=values["memory"],
        memory_bandwidth=values["memory_bandwidth"],
        sram_bytes=values["sram"],
        scale_up_bandwidth=values["scale_up_bandwidth"],
        scale_out_bandwidth=values["scale_out_bandwidth"],
        scale_up_fabric=fields.text(key, record, "scale_up_fabric"),
        scale_out_fabric=fields.text(key, record, "scale_out_fabric"),
        devices_per_node=fields.integer(key, record, "devices_per_node", minimum=1),
        injection_bandwidth=values["injection_bandwidth"],
        tdp=values["tdp"],
        idle_power=values["idle_power"],
        price=values["price"],
        matmul_efficiency=values["matmul_efficiency"],
        memory_efficiency=values["memory_efficiency"],
        attention_efficiency=values["attention_efficiency"],
        attention_backward_efficiency=values["attention_backward_efficiency"],
        flash2_attention_efficiency=values["flash2_attention_efficiency"],
        matmul_efficiency_by_precision=matmul_by_precision,
        launch_overhead=values["launch_overhead"],
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=sources,
    )


def _with_dotted_sources(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Let `sources: {peak: …}` cover every `peak.<precision>` entry (likewise for the other tables)."""
    own = dict(record.get("sources") or {})
    for group in _TABLES:
        if group in own:
            for p in record.get(group) or {}:
                own.setdefault(f"{group}.{_precision.canonical(p)}", own[group])
    return {**record, "sources": own}
