"""Storage specs: drives, parallel file systems and object stores, as the ingestion wall sees them.

Every record states its `scope`, because a bandwidth means nothing without it: a drive's
datasheet figure is per drive, a parallel file system is quoted per client (what one node can
pull) or in aggregate (the whole system), and an object store per connection (one HTTP stream;
clients open many). Figures are the vendor's sequential ratings unless the notes say otherwise;
small random reads are bounded by `iops` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

KINDS = ("nvme-gen3", "nvme-gen4", "nvme-gen5", "sata-ssd", "sas-hdd", "sata-hdd", "parallel-fs",
         "object-store", "nfs", "local-ram")
SCOPES = ("per-drive", "per-client", "aggregate", "per-connection")
_QUANTITIES = {"read_bandwidth": "bandwidth", "write_bandwidth": "bandwidth", "capacity": "bytes",
               "latency": "time", "iops": "count", "price": "money"}
_FIELDS = ("name", "kind", "scope", "aliases", "notes", "source", "sources", *_QUANTITIES)


@dataclass(frozen=True)
class Storage:
    """One storage device or service. Quantities are SI floats; None where nothing is published."""

    key: str
    name: str
    kind: str
    scope: str = "per-drive"
    read_bandwidth: float | None = None
    write_bandwidth: float | None = None
    capacity: float | None = None
    latency: float | None = None
    iops: float | None = None  # random 4 KiB reads per second
    price: float | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        parts = [f"{self.name} ({self.kind}, {self.scope})"]
        if self.read_bandwidth:
            parts.append(f"{q(self.read_bandwidth, 'bandwidth')} read")
        if self.write_bandwidth:
            parts.append(f"{q(self.write_bandwidth, 'bandwidth')} write")
        if self.iops:
            parts.append(f"{q(self.iops, 'count')} IOPS")
        if self.capacity:
            parts.append(q(self.capacity, "bytes"))
        return ", ".join(parts)


def from_record(key: str, record: Mapping[str, Any]) -> Storage:
    fields.check_keys(key, record, _FIELDS)
    values = {name: fields.quantity(key, record, name, dim) for name, dim in _QUANTITIES.items()}
    numeric = [name for name, value in values.items() if value is not None]
    return Storage(
        key=key,
        name=fields.text(key, record, "name", default=key),
        kind=fields.text(key, record, "kind", choices=KINDS),
        scope=fields.text(key, record, "scope", default="per-drive", choices=SCOPES),
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=read_sources(key, record, numeric),
        **values,
    )
