"""Host CPU specs: cores, clocks, power, memory bandwidth, and measured preprocessing rates.

The preprocessing rates are per core and only where someone measured them on that exact
part: `image_decode_rate` (ImageNet-sized JPEGs per second per core; the record's source says
whether resize/augmentation is included) and `tokenize_rate` (tokens per second per core).
A CPU without a measured rate leaves it empty, and the transformation wall then asks for the
rate as a number instead of inventing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

_QUANTITIES = {"base_clock": "rate", "boost_clock": "rate", "tdp": "power", "memory_bandwidth": "bandwidth",
               "price": "money", "image_decode_rate": "rate", "tokenize_rate": "rate"}
_FIELDS = ("name", "vendor", "microarchitecture", "year", "cores", "threads", "aliases", "notes",
           "source", "sources", *_QUANTITIES)


@dataclass(frozen=True)
class Cpu:
    """One host processor. Quantities are SI floats (clocks in Hz); None where not published."""

    key: str
    name: str
    vendor: str = ""
    microarchitecture: str = ""
    year: int | None = None
    cores: int | None = None
    threads: int | None = None
    base_clock: float | None = None
    boost_clock: float | None = None
    tdp: float | None = None
    memory_bandwidth: float | None = None
    price: float | None = None
    image_decode_rate: float | None = None
    tokenize_rate: float | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        parts = [self.name] + ([self.microarchitecture] if self.microarchitecture else [])
        if self.cores:
            parts.append(f"{self.cores} cores")
        if self.boost_clock:
            parts.append(f"{self.boost_clock / 1e9:.3g} GHz boost")
        if self.memory_bandwidth:
            parts.append(q(self.memory_bandwidth, "bandwidth"))
        if self.image_decode_rate:
            parts.append(f"{q(self.image_decode_rate, 'rate')} JPEG/core")
        if self.tokenize_rate:
            parts.append(f"{q(self.tokenize_rate, 'rate')} tokens/core")
        return ", ".join(parts)


def from_record(key: str, record: Mapping[str, Any]) -> Cpu:
    fields.check_keys(key, record, _FIELDS)
    values = {name: fields.quantity(key, record, name, dim) for name, dim in _QUANTITIES.items()}
    cores = fields.integer(key, record, "cores", minimum=1)
    threads = fields.integer(key, record, "threads", minimum=1)
    numeric = [name for name, value in values.items() if value is not None]
    numeric += [name for name, value in (("cores", cores), ("threads", threads)) if value is not None]
    return Cpu(
        key=key,
        name=fields.text(key, record, "name", default=key),
        vendor=fields.text(key, record, "vendor"),
        microarchitecture=fields.text(key, record, "microarchitecture"),
        year=fields.integer(key, record, "year"),
        cores=cores,
        threads=threads,
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=read_sources(key, record, numeric),
        **values,
    )
