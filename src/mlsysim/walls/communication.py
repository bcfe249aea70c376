"""Wall 14, communication: α–β time of a collective (ring, double binary tree, hierarchical, in-switch
NVLS), NCCL-style."""

from __future__ import annotations

import numpy as np

from mlsysim.arrays import scalar
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.locality import TOPOLOGIES, topology_metrics
from mlsysim.walls.support import choose, equals, field_of, per_spec

# The algorithms each collective has here ("auto" picks the fastest of them).
ALGORITHMS = {"all-reduce": ("ring", "tree", "hierarchical"), "reduce-scatter": ("ring", "hierarchical"),
              "all-gather": ("ring", "hierarchical"), "all-to-all": ("direct", "hierarchical"),
              "broadcast": ("ring", "tree"), "reduce": ("ring", "tree")}
# Algorithms that reduce inside the switch (NVLink SHARP, NCCL's NVLS): used only when asked for, since
# they need a switch that can (NVSwitch gen 3 and later) and a measured efficiency.
IN_NETWORK = {"all-reduce": ("nvls",)}
# Bus bandwidth = algorithm bandwidth × this factor (NCCL tests, doc/PERFORMANCE.md, "Summary").
BUS_FACTOR = {"all-reduce": lambda n: 2 * (n - 1) / n, "broadcast": lambda n: 1.0, "reduce": lambda n: 1.0}


def flat(collective: str, algorithm: str, n):
    """(latency steps, bandwidth factor) over n ranks: time = steps·α + factor·M/B."""
    if algorithm == "tree":  # two pipelined binary trees, half the data each (Sanders, Speck & Träff 2009)
        depth = np.ceil(np.log2(n))
        return (2 * depth, 2.0) if collective == "all-reduce" else (depth, 1.0)
    if collective == "all-reduce":  # ring: reduce-scatter then all-gather (Patarasuk & Yuan 2009)
        return 2 * (n - 1), 2 * (n - 1) / n
    if collective in ("broadcast", "reduce"):  # pipelined chain: the root's link carries M once
        return n - 1, 1.0
    return n - 1, (n - 1) / n  # ring reduce-scatter / all-gather, direct all-to-all (Thakur et al. 2005)


def nvls(n):
    """(latency steps, bytes per direction per byte of message) of an in-switch all-reduce over n ranks.

    Each rank owns 1/n of the buffer. It pulls its slice reduced by the switch from all ranks
    (every rank sends its whole buffer once and receives 1/n), then multicasts the reduced slice
    back through the switch (sends 1/n, receives the whole buffer): (1 + 1/n) × M each way, against
    a ring's 2(n − 1)/n. Two steps: up to the switch and back.
    """
    return 2, 1.0 + 1.0 / n


def cost(collective: str, algorithm: str, v):
    """(bandwidth time, latency time) of one algorithm at the resolved values `v`."""
    size, n, per_node = v["message_bytes"], v["devices"], v["devices_per_node"]
    if algorithm == "nvls":  # the switch reduces at full port speed: no topology share
        steps, factor = nvls(n)
        return factor * size / (v["bandwidth"] * v["nvls_efficiency"]), steps * v["latency"]
    # All-to-all and tree traffic crosses the fabric's middle; a ring is laid along neighbouring links.
    scale_out = v["bandwidth"] * (v["share"] if collective == "all-to-all" or algorithm == "tree" else 1.0)
    if algorithm != "hierarchical":
        steps, factor = flat(collective, algorithm, n)
        return factor * size / scale_out, steps * v["latency"]
    if collective == "all-to-all":  # exchange inside the node, then between nodes: no bytes saved
        (si, fi), (so, fo) = flat(collective, "direct", per_node), flat(collective, "direct", n / per_node)
    else:  # reduce-scatter in the node (all-gather back for all-reduce); 1/G of the data crosses nodes
        (si, fi), (so, fo) = flat("reduce-scatter", "ring", per_node), flat(collective, "ring", n / per_node)
        si, fi, fo = (2 * si, 2 * fi, fo / per_node) if collective == "all-reduce" else (si, fi, fo / per_node)
    return (fi * size / v["intra_bandwidth"] + fo * size / scale_out,
            si * v["intra_latency"] + so * v["latency"])


def evaluate(collective: str, algorithm: str, **v):
    network, topology, oversubscription = v.pop("network"), v.pop("topology"), v.pop("oversubscription")
    if v["bandwidth"] is None:
        v["bandwidth"] = field_of(network, "bandwidth", "bandwidth")
    if v["latency"] is None:  # a network without a published hop latency counts as 0, as no network does
        v["latency"] = 0.0 if network is None else per_spec(lambda n: n.latency or 0.0, network)
    v["intra_latency"] = v["latency"] if v["intra_latency"] is None else v["intra_latency"]
    if algorithm == "nvls" and v["nvls_efficiency"] is None:
        v["nvls_efficiency"] = field_of(network, "nvls_efficiency", "nvls_efficiency")
    v["share"] = 1.0  # Wall 10: traffic across the fabric's middle keeps bisection_fraction / oversubscription
    if topology is not None:
        v["share"] = topology_metrics(topology, v["devices"], oversubscription)["bisection_fraction"] / oversubscription
    names = [a for a in ALGORITHMS[collective] if a != "hierarchical" or v["devices_per_node"] is not None]
    names = names if algorithm == "auto" else [algorithm]
    costs = [cost(collective, a, v) for a in names]
    totals = [b + t for b, t in costs]
    if scalar(*totals):  # ties go to the first, simplest algorithm
        best = min(range(len(names)), key=totals.__getitem__)
        (bandwidth_time, latency_time), chosen = costs[best], names[best]
    else:
        best = np.argmin(np.broadcast_arrays(*totals), axis=0)
        bandwidth_time, latency_time = (np.choose(best, [c[i] for c in costs]) + 0.0 for i in (0, 1))
        chosen = np.array(names, dtype=object)[best]
    time = bandwidth_time + latency_time
    algbw = v["message_bytes"] / time
    return {"time": time, "bandwidth_time": bandwidth_time, "latency_time": latency_time,
            "algorithm": chosen, "algorithm_bandwidth": algbw,
            "bus_bandwidth": algbw * BUS_FACTOR.get(collective, lambda n: (n - 1) / n)(v["devices"]),
            "bandwidth": v["bandwidth"], "latency": v["latency"], "bisection_share": v["share"] + 0 * time,
            "regime": choose(bandwidth_time >= latency_time, "bandwidth-bound", "latency-bound")}


def explain(r) -> str:
    topology = "" if r.inputs["topology"] is None else (
        f" The {r.fmt('topology')} leaves all-to-all and tree traffic {r.fmt('bisection_share')} of each link.")
    if np.ndim(r.outputs["algorithm"]) == 0 and r.outputs["algorithm"] == "nvls":
        efficiency = r.inputs["nvls_efficiency"]
        if efficiency is None:
            efficiency = getattr(r.inputs["network"], "nvls_efficiency", None)
        share = f"{efficiency:.3g} of" if np.ndim(efficiency) == 0 and efficiency is not None else "a share of"
        topology += (f" NVLS reduces inside the switch: each device sends and receives (1 + 1/N) of the message, "
                     f"at {share} the line rate (the switch's measured NVLS efficiency).")
    return (f"A {r.fmt('algorithm')} {r.fmt('collective')} of {r.fmt('message_bytes')} over {r.fmt('devices')} "
            f"devices at {r.fmt('bandwidth')} per direction takes {r.fmt('time')}: {r.fmt('bandwidth_time')} moving "
            f"bytes and {r.fmt('latency_time')} of per-step latency ({r.fmt('regime')}). NCCL would report an "
            f"algorithm bandwidth of {r.fmt('algorithm_bandwidth')} and a bus bandwidth of {r.fmt('bus_bandwidth')}."
            + topology)


_KNOWN = "; ".join(f"{c}: {', '.join(a + IN_NETWORK.get(c, ()))}" for c, a in ALGORITHMS.items())
_supported = np.frompyfunc(lambda c, a: a == "auto" or a in ALGORITHMS[c] or a in IN_NETWORK.get(c, ()), 2, 1)

WALL = Wall(
    number=14, slug="communication", title="The Communication Wall", domain="fleet",
    question="How long does a collective (all-reduce, all-gather, all-to-all …) take across the devices?",
    equation="ring all-reduce: time = 2(N−1)/N × message_bytes / bandwidth + 2(N−1) × latency",
    latex=r"T_\text{ring} = \frac{2(N-1)}{N}\,\frac{M}{BW} + 2(N-1)\,\alpha",
    explanation=(
        "Data-parallel training ends each step by summing gradients over all devices. In a ring all-reduce "
        "each device sends and receives 2(N−1)/N of the message over its own link, so the bandwidth term "
        "hardly grows with N, but each of the 2(N−1) steps pays a fixed latency α, which swamps small "
        "messages at scale. Trees pay ~2·log₂N latencies for a slightly larger bandwidth term; hierarchical "
        "schemes reduce inside the node on the fast fabric and send only 1/G of the data between nodes. "
        "NCCL reports algorithm bandwidth (message ÷ time) and bus bandwidth, rescaled to compare with a link."),
    inputs=[
        Input("message_bytes", "bytes", "bytes per device (the full buffer, as NCCL tests count it)",
              low=0, low_open=True, typical=(1e3, 1e11)),
        Input("devices", "count", "devices taking part (N)", low=2, integer=True, typical=(2, 100_000)),
        Input("bandwidth", "bandwidth", "link bandwidth per device per direction (scale-out, for hierarchical)",
              default=None, low=0, low_open=True, typical=(1e9, 1e12)),
        Input("latency", "time", "α, the fixed cost of a step (default: the network's, else 0)", default=None,
              low=0, typical=(1e-7, 1e-4)),
        Input("collective", "choice", "the collective operation", default="all-reduce", choices=tuple(ALGORITHMS)),
        Input("algorithm", "choice", "ring, tree (double binary tree), direct, hierarchical, nvls (in-switch "
              "all-reduce, NVLink SHARP; only when asked), or auto (the fastest of the others)", default="auto",
              choices=("auto", "ring", "tree", "direct", "hierarchical", "nvls")),
        Input("devices_per_node", "count", "devices per node on the scale-up fabric (G), for hierarchical",
              default=None, low=1, integer=True, typical=(1, 72)),
        Input("intra_bandwidth", "bandwidth", "scale-up (in-node) bandwidth per device per direction",
              default=None, low=0, low_open=True, typical=(1e10, 1e12)),
        Input("intra_latency", "time", "α of a scale-up step (default: latency)", default=None, low=0,
              typical=(1e-7, 1e-5)),
        Input("network", "network", "network whose per-device bandwidth and latency to use", default=None),
        Input("nvls_efficiency", "fraction", "share of the line rate an in-switch (nvls) all-reduce sustains "
              "(default: the network's)", default=None, low=0, high=1, low_open=True, typical=(0.5, 0.9)),
        Input("topology", "choice", "scale-out topology (Wall 10): all-to-all and trees keep its bisection share",
              default=None, choices=TOPOLOGIES),
        Input("oversubscription", "number", "taper of the scale-out fabric, k:1 (with topology)", default=1.0,
              low=1, typical=(1, 8)),
    ],
    outputs=[
        Output("time", "time", "time of the collective"),
        Output("bandwidth_time", "time", "time spent moving bytes (the β term)"),
        Output("latency_time", "time", "time spent on per-step latency (the α term)"),
        Output("algorithm", "text", "the algorithm used (the fastest one under auto)"),
        Output("algorithm_bandwidth", "bandwidth", "NCCL algbw: message_bytes / time"),
        Output("bus_bandwidth", "bandwidth", "NCCL busbw: algbw × 2(N−1)/N (all-reduce), (N−1)/N, or 1"),
        Output("bandwidth", "bandwidth", "link bandwidth used"),
        Output("bisection_share", "fraction", "share of each link the topology leaves all-to-all and trees"),
        Output("latency", "time", "per-step latency used"),
        Output("regime", "text", "bandwidth-bound or latency-bound"),
    ],
    constraints=[
        Constraint(lambda v: v["bandwidth"] is not None or v["network"] is not None,
                   "communication: give bandwidth, or a network", "bandwidth"),
        Constraint(lambda v: _supported(v["collective"], v["algorithm"]), "communication: algorithm {algorithm} "
                   f"does not apply to {{collective}}; known: {_KNOWN} (or auto)", "algorithm"),
        Constraint(lambda v: ((v["devices_per_node"] is None) == (v["intra_bandwidth"] is None)) & (
            ~equals(v["algorithm"], "hierarchical") | (v["devices_per_node"] is not None)),
                   "communication: hierarchical needs devices_per_node and intra_bandwidth, given together",
                   "devices_per_node"),
        Constraint(lambda v: ~equals(v["algorithm"], "nvls") | (
            v["nvls_efficiency"] is not None) | (v["network"] is not None),
                   "communication: nvls needs nvls_efficiency, or a network that publishes one", "nvls_efficiency"),
        Constraint(lambda v: v["devices_per_node"] is None or v["devices"] % v["devices_per_node"] == 0,
                   "communication: {devices} devices do not fill whole nodes of {devices_per_node}",
                   "devices_per_node"),
    ],
    regimes=("bandwidth-bound", "latency-bound"), evaluate=evaluate, explain=explain, headline="time",
    examples=[
        Example({"message_bytes": "1 GB", "devices": 8, "bandwidth": "50 GB/s", "algorithm": "ring"},
                {"time": 0.035, "bandwidth_time": 0.035, "bus_bandwidth": 50e9},
                source="spec, Wall 14: 1 GB of gradients over 8 GPUs at 50 GB/s takes 35 ms"),
        Example({"message_bytes": "8 GB", "devices": 8, "bandwidth": "240 GB/s", "latency": "10 us"},
                {"bus_bandwidth": 230e9}, rtol=0.05, source="NVIDIA/nccl-tests #149 (sjeaugey, 2023): 8× A100, "
                "12 NVLinks × ~20 GB/s effective; all-reduce reaches ~230 GB/s busbw"),
        Example({"message_bytes": "64 KB", "devices": 1024, "bandwidth": "50 GB/s", "latency": "5 us"},
                {"time": 1.0256e-4}, source="auto picks the double binary tree: 2·⌈log₂1024⌉ = 20 latencies, "
                "not the ring's 2046 (NCCL 2.4, Jeaugey 2019)"),
    ],
    caveats=("α–β model: no congestion, protocol overhead (NCCL gets ~80 % of NVLink line rate, nccl-tests "
             "#212) or overlap with compute; in-network reduction only as algorithm='nvls' (never chosen by "
             "auto, and only with a measured efficiency; NCCL itself uses it only above about 4 GPUs); tree and "
             "hierarchical phases are summed, not pipelined. A topology scales all-to-all and tree traffic by Wall 10's bisection "
             "share (uniform traffic) and leaves rings, laid along neighbours, at full link speed."),
    sources=("NVIDIA nccl-tests, doc/PERFORMANCE.md (algorithm and bus bandwidth)",
             "Patarasuk & Yuan, JPDC 2009 (bandwidth-optimal ring all-reduce); Thakur, Rabenseifner & Gropp, "
             "IJHPCA 2005 (MPICH collectives)", "Sanders, Speck & Träff, Parallel Computing 2009 (two-tree "
             "algorithms); Jeaugey, 'Massively scale your deep learning training with NCCL 2.4', NVIDIA 2019",
             "Jia et al., arXiv:1807.11205, 2018 (hierarchical all-reduce)"),
)
