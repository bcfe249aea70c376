"""Interconnects as a scenario sees them, and the time of collectives over them (via Wall 14).

A device reaches the devices of its node over the scale-up fabric (NVLink, Infinity Fabric,
ICI) and everything else over the scale-out fabric (InfiniBand, RoCE). Collectives whose group
fits in a node run on the first; groups spanning nodes run hierarchically when several of
their ranks share a node, else as a flat ring over the second (the ring and hierarchical cost
models are Wall 14's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlsysim.walls.communication import cost


@dataclass(frozen=True)
class Fabric:
    """Achievable per-device, per-direction bandwidth and per-step latency of one fabric."""

    name: str
    bandwidth: float
    latency: float
    call_latency: float = 0.0  # fixed cost of launching one collective, whatever its size

    @classmethod
    def of(cls, network, fallback_bandwidth, fallback_name: str) -> Fabric:
        if network is None:
            return cls(fallback_name, fallback_bandwidth, 0.0)
        efficiency = getattr(network, "collective_efficiency", None) or 1.0
        latency = getattr(network, "collective_latency", None) or network.latency or 0.0
        call = getattr(network, "collective_call_latency", None) or 0.0
        return cls(network.name, network.bandwidth * efficiency, latency, call)


def resolve_network(name_or_spec, fallback_key: str | None):
    """A network spec from an input, else the hardware's named fabric if the registry knows it."""
    from mlsysim.specs import registry

    if name_or_spec is not None:
        return name_or_spec
    if fallback_key and fallback_key in registry("network"):
        return registry("network")(fallback_key)
    return None


def collective(kind: str, nbytes, ranks, per_node, intra: Fabric, inter: Fabric):
    """Time of one collective of `nbytes` per rank over `ranks` ranks, `per_node` of them per node."""
    ranks = np.asarray(ranks, dtype=float)
    per_node = np.minimum(np.asarray(per_node, dtype=float), ranks)
    values = {"message_bytes": nbytes, "devices": np.maximum(ranks, 1.0), "devices_per_node": np.maximum(per_node, 1.0),
              "bandwidth": inter.bandwidth, "latency": inter.latency, "intra_bandwidth": intra.bandwidth,
              "intra_latency": intra.latency, "share": 1.0}
    algorithm = "direct" if kind == "all-to-all" else "ring"
    inside = sum(cost(kind, algorithm, {**values, "bandwidth": intra.bandwidth, "latency": intra.latency}))
    across = sum(cost(kind, algorithm, values))
    layered = sum(cost(kind, "hierarchical", values))
    call = np.where(per_node >= ranks, intra.call_latency, np.maximum(intra.call_latency, inter.call_latency))
    time = np.where(per_node >= ranks, inside, np.where(per_node > 1, layered, across)) + call
    return np.where(ranks > 1, time, 0.0)
