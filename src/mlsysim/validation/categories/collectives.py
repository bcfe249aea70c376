"""NCCL bus bandwidth through Wall 14 (communication) with fabric specs from the network registry.

The per-direction bandwidth a collective sees is the fabric's line rate × its sourced
`collective_efficiency` (packet and protocol overhead; line rate where none is on record).
nccl-tests report bus bandwidth, algbw × 2(n−1)/n for all-reduce, which is Wall 14's
`bus_bandwidth` output. Large messages make the latency term negligible.

NVLS records (NVLink SHARP: the NVSwitch reduces) use Wall 14's `nvls` algorithm on the node's
NVSwitch, at the switch's own sourced `nvls_efficiency`.
"""

from __future__ import annotations

import re

from mlsysim.validation.categories._common import circularity, config_number, in_unit, lookup
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "collectives"
# Chip named in a record's hardware text -> hardware registry name (first match wins).
_CHIPS = (("h100 pcie", "h100-pcie"), ("h100", "h100-sxm"), ("a100", "a100"))
# InfiniBand generation by per-port speed in Gb/s.
_INFINIBAND = {100: "ib-edr", 200: "ib-hdr", 400: "ib-ndr", 800: "ib-xdr"}
# nccl-tests reach their peak bus bandwidth at the largest sizes they sweep (several GB).
LARGE_MESSAGE = 8e9
# The NVSwitch that joins a node's GPUs, by the GPUs' NVLink generation.
_NVSWITCH = {"nvlink3": "nvswitch-a100", "nvlink4": "nvswitch-h100", "nvlink5": "nvl72"}


def express(record) -> Prediction:
    text = " ".join(str(v) for v in record.config.values() if isinstance(v, str))
    hardware = _hardware(text)
    if "nvls" in str(record.config.get("algorithm", "")).lower():
        return _nvls(record, hardware, text)
    devices = int(config_number(record, "num_gpus", required=False) or _leading_count(text)
                  or hardware.devices_per_node or 8)
    message = _message(record)
    nodes = re.search(r"(\d+)\s*nodes", text)
    if nodes and int(nodes[1]) > 1:
        return _across_nodes(record, hardware, devices, int(nodes[1]), message, text)
    network = lookup("network", "nvlink-bridge-h100-pcie" if "nvlink bridge" in text.lower()
                     else hardware.scale_up_fabric)
    bandwidth, note = _effective(network)
    result = _ring(message, devices, bandwidth)
    value = in_unit(result.outputs["bus_bandwidth"], record.unit, "bandwidth")
    return Prediction(value, record.unit, f"Ring all-reduce of {result.fmt('message_bytes')} over {devices} GPUs on "
                      f"{network.name}: {note}, so bus bandwidth ≈ {value:.4g} GB/s."
                      + (_BRIDGE if network.key == "nvlink-bridge-h100-pcie" else ""),
                      (Call.of(result, outputs=["time", "algorithm_bandwidth", "bus_bandwidth", "regime"]),),
                      circular=circularity(record, network, "collective_efficiency"))


def _across_nodes(record, hardware, devices, nodes, message, text) -> Prediction:
    """NCCL's rings cross each node boundary once per channel, one channel per NIC, so a ring
    rank's bottleneck is min(scale-up bandwidth, the node's NICs together)."""
    nics = re.search(r"(\d+)\s*x\s*(\d+)\s*Gb|(\d+)\s*Gb\s*x\s*(\d+)", text)
    if nics is None:
        raise NotExpressible("the record does not say how many NICs each node has, or their speed")
    count, rate = (int(nics[1]), int(nics[2])) if nics[1] else (int(nics[4]), int(nics[3]))
    if rate not in _INFINIBAND:
        raise NotExpressible(f"no InfiniBand generation runs at {rate} Gb/s per port")
    fabric = lookup("network", _INFINIBAND[rate])
    inter, inter_note = _effective(fabric)
    intra, intra_note = _effective(lookup("network", hardware.scale_up_fabric))
    bandwidth = min(intra, count * inter)
    result = _ring(message, devices, bandwidth)
    value = in_unit(result.outputs["bus_bandwidth"], record.unit, "bandwidth")
    return Prediction(value, record.unit, f"{nodes} nodes × {devices // nodes} GPUs with {count} × {fabric.name} "
                      f"per node: {inter_note}; in the node {intra_note}. A ring rank's bottleneck is "
                      f"min({intra / 1e9:.4g}, {count} × {inter / 1e9:.4g}) = {bandwidth / 1e9:.4g} GB/s, "
                      f"so bus bandwidth ≈ {value:.4g} GB/s.",
                      (Call.of(result, outputs=["time", "algorithm_bandwidth", "bus_bandwidth", "regime"]),),
                      circular=circularity(record, fabric, "collective_efficiency"))


_BRIDGE = (" The record does not say how many NVLink bridges join the pair; the 600 GB/s bidirectional "
           "figure assumes all of them fitted.")


def _ring(message, devices, bandwidth):
    import mlsysim as ms

    return ms.wall("communication")(message_bytes=message, devices=devices, bandwidth=bandwidth, algorithm="ring")


def _effective(network) -> tuple[float, str]:
    if network.collective_efficiency is None:
        return network.bandwidth, (f"{network.bandwidth / 1e9:.4g} GB/s each way at line rate, for want of a "
                                   "sourced collective efficiency")
    value = network.bandwidth * network.collective_efficiency
    return value, (f"{network.bandwidth / 1e9:.4g} GB/s each way × collective efficiency "
                   f"{network.collective_efficiency:g} = {value / 1e9:.4g} GB/s")


def _hardware(text: str):
    lowered = text.lower()
    for needle, name in _CHIPS:
        if needle in lowered:
            return lookup("hardware", name)
    raise NotExpressible(f"no accelerator in the hardware registry matches {text!r}")


def _leading_count(text: str) -> int | None:
    match = re.match(r"\s*(\d+)\s*x\s", text)
    return int(match[1]) if match else None


def _message(record) -> float:
    if str(record.config.get("message_size", "")).strip().lower().startswith("large"):
        return LARGE_MESSAGE  # "large (>= several GB; ...)": the peak, at the sizes nccl-tests sweep to
    size = config_number(record, "message_size", "bytes", required=False)
    command = str(record.config.get("command", ""))
    largest = re.search(r"-e\s*(\d+)([KMG])", command)
    if size is None and largest:
        size = float(largest[1]) * {"K": 2**10, "M": 2**20, "G": 2**30}[largest[2]]
    return size or LARGE_MESSAGE


def _nvls(record, hardware, text) -> Prediction:
    import mlsysim as ms

    key = _NVSWITCH.get(hardware.scale_up_fabric or "")
    if key is None or "nvswitch" not in text.lower():
        raise NotExpressible(f"NVLS needs an NVSwitch that reduces in the network; the registry has none for "
                             f"{hardware.name} as the record describes it")
    switch = lookup("network", key)
    if switch.nvls_efficiency is None:
        raise NotExpressible(f"{switch.name} has no sourced nvls_efficiency (the share of the line rate an "
                             "in-switch all-reduce sustains)")
    devices = int(config_number(record, "num_gpus", required=False) or _leading_count(text)
                  or hardware.devices_per_node or 8)
    message = _message(record)
    cited = switch.sources.get("nvls_efficiency")
    source = f"measured by {cited.title}" if cited is not None else "sourced in the network registry"
    result = ms.wall("communication")(message_bytes=message, devices=devices, network=switch, algorithm="nvls")
    value = in_unit(result.outputs["bus_bandwidth"], record.unit, "bandwidth")
    return Prediction(value, record.unit, f"NVLS all-reduce of {result.fmt('message_bytes')} over {devices} GPUs on "
                      f"{switch.name}: the switch reduces, so each GPU moves (1 + 1/{devices}) of the message each "
                      f"way at {switch.bandwidth / 1e9:.4g} GB/s × NVLS efficiency {switch.nvls_efficiency:g} "
                      f"({source}): algbw {result.fmt('algorithm_bandwidth')}, and nccl-tests' bus bandwidth, "
                      f"algbw × 2(n−1)/n, ≈ {value:.4g} GB/s.",
                      (Call.of(result, outputs=["time", "algorithm_bandwidth", "bus_bandwidth", "regime"]),),
                      circular=circularity(record, switch, "nvls_efficiency"))
