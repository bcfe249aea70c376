"""Network fabric specs: scale-up links (NVLink, Infinity Fabric, TPU ICI), scale-out (InfiniBand,
Ethernet/RoCE) and host buses (PCIe), with bandwidth as one device sees it.

`bandwidth` is per device and per direction, the figure collective models divide by: NVLink 4
on an H100 is "900 GB/s" in NVIDIA's bidirectional total, 450 GB/s here; one 400 Gb/s NDR port
is 50 GB/s. `link_bandwidth` is one link, per direction, and `links` how many a device has.
`latency` is the one-hop (switch or link) latency where a source publishes one; end-to-end
latencies through software stacks are larger. `collective_efficiency` is the fraction of the
per-direction line rate that NCCL-style collectives sustain on large messages (packet headers
and protocol overhead), measured and sourced per fabric; None where no measurement is on record.
`collective_latency` is α, the fixed cost of one step of a ring collective on the fabric (e.g. the
per-step latency NCCL's own performance model charges); it does not include the fixed per-call
overhead NCCL adds on top of the steps. That overhead is `collective_call_latency`: the latency a
collective library's model charges once per call, whatever the number of ranks (NCCL's baseLat),
so one ring all-reduce over n ranks costs about call + 2(n - 1) × step before any bytes move.
None where no figure is on record. `nvls_efficiency` is the fraction of the per-direction line
rate an in-switch (NVLink SHARP, NCCL's NVLS) all-reduce sustains on the bytes it actually moves,
(1 + 1/n) × the message per direction (see Wall 14's `nvls` algorithm); measured and sourced, on
switches that reduce in the network only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

KINDS = ("nvlink", "nvswitch", "infiniband", "ethernet", "pcie", "ici", "infinity-fabric", "cxl", "other")
_QUANTITIES = {"bandwidth": "bandwidth", "link_bandwidth": "bandwidth", "latency": "time",
               "collective_efficiency": "fraction", "collective_latency": "time",
               "collective_call_latency": "time", "nvls_efficiency": "fraction"}
_FIELDS = ("name", "kind", "links", "aliases", "notes", "source", "sources", *_QUANTITIES)


@dataclass(frozen=True)
class Network:
    """One interconnect. Bandwidths are per direction, SI floats; None where not published."""

    key: str
    name: str
    kind: str
    bandwidth: float | None = None
    link_bandwidth: float | None = None
    links: int | None = None
    latency: float | None = None
    collective_efficiency: float | None = None
    collective_latency: float | None = None
    collective_call_latency: float | None = None
    nvls_efficiency: float | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        parts = [f"{self.name} ({self.kind})"]
        if self.bandwidth:
            parts.append(f"{q(self.bandwidth, 'bandwidth')} each way per device")
        if self.links and self.link_bandwidth:
            parts.append(f"{self.links} × {q(self.link_bandwidth, 'bandwidth')}")
        if self.latency:
            parts.append(f"{q(self.latency, 'time')} per hop")
        return ", ".join(parts)


def from_record(key: str, record: Mapping[str, Any]) -> Network:
    fields.check_keys(key, record, _FIELDS)
    values = {name: fields.quantity(key, record, name, dim) for name, dim in _QUANTITIES.items()}
    links = fields.integer(key, record, "links", minimum=1)
    numeric = [name for name, value in values.items() if value is not None]
    numeric += ["links"] if links is not None else []
    return Network(
        key=key,
        name=fields.text(key, record, "name", default=key),
        kind=fields.text(key, record, "kind", choices=KINDS),
        links=links,
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=read_sources(key, record, numeric),
        **values,
    )
