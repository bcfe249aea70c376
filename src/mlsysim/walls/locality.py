"""Wall 10, locality: how much of a link's speed survives the network's topology."""

from __future__ import annotations

import numpy as np

from mlsysim.errors import UnknownNameError
from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose

TOPOLOGIES = ("fat-tree", "oversubscribed-fat-tree", "ring", "torus-2d", "torus-3d", "dragonfly",
              "single-switch")
_KEYS = ("bisection_fraction", "fraction_of_link", "diameter", "average_hops")


def _torus(d: int):
    # A k-ary d-cube with wraparound (a ring is d = 1): a cut through the middle severs 2·k^(d-1)
    # links against the n/2 a full bisection needs, so the fraction is 4/k (Dally & Towles,
    # "Principles and Practices of Interconnection Networks", ch. 3). Mean distance per dimension
    # is floor(k²/4)/k over all k positions, self included; sizes that are not a whole k^d use
    # the continuous k/4 and k/2.
    def metrics(n, radix):
        k = n ** (1.0 / d)
        whole = np.abs(k - np.round(k)) < 1e-9 * k  # 64^(1/3) is 3.99999…
        k = np.where(whole, np.round(k), k)
        per_dimension = np.where(whole, np.floor(k * k / 4) / k, k / 4)
        return 4.0 / k, d * np.where(whole, np.floor(k / 2), k / 2), d * per_dimension * n / (n - 1)
    return metrics


def _fat_tree(n, radix):
    # Folded Clos of radix-r switches: L levels hold 2·(r/2)^L endpoints; a path climbs to the
    # lowest switch two endpoints share and back, so it crosses 2·(that level) links.
    half = radix / 2
    levels = np.maximum(1.0, np.ceil(np.log(n / 2) / np.log(half) - 1e-9))
    hops = 2.0 + 0 * levels
    for level in range(1, int(np.max(levels))):
        shared = np.minimum(1.0, (half ** level - 1) / (n - 1))  # share of peers under the same level-l switch
        hops = hops + np.where(level < levels, 2 * (1 - shared), 0.0)
    return 1.0 + 0 * levels, 2 * levels, hops


def _dragonfly(n, radix):
    # Balanced dragonfly (Kim, Dally, Scott & Abts, ISCA 2008): a = 2p = 2h, so radix-k routers form
    # groups of a = (k+1)/2 routers and a²/2 endpoints. Assumed: global links spread evenly over the
    # g groups, so a cut between halves of the groups carries g/(2(g-1)) of a full bisection (1/2
    # when large). Minimal route: terminal, local, global, local, terminal = 5 links; a local hop is
    # skipped when the global link sits on the end router.
    a = (radix + 1) / 2
    group = a * a / 2
    g = n / group
    fraction = np.where(g > 1, g / np.maximum(2 * (g - 1), 1e-300), 1.0)
    inter = np.clip((n - group) / (n - 1), 0.0, 1.0)
    return fraction, np.where(g > 1, 5.0, 3.0), inter * (5 - 2 / a) + (1 - inter) * 3


_SHAPES = {"fat-tree": _fat_tree, "oversubscribed-fat-tree": _fat_tree, "ring": _torus(1),
           "torus-2d": _torus(2), "torus-3d": _torus(3), "dragonfly": _dragonfly,
           "single-switch": lambda n, radix: (1.0 + 0 * n, 2.0 + 0 * n, 2.0 + 0 * n)}


def topology_metrics(topology, nodes, oversubscription=1.0, radix=64):
    """Bisection fraction, diameter and mean hop count of `nodes` endpoints wired as `topology`.

    Broadcasts over `nodes`, `oversubscription` and `radix` (and over an array of names).
    `bisection_fraction` is what the wiring provides across its middle, as a share of the n/2
    links a full bisection needs (one link per endpoint); `fraction_of_link` also divides by the
    oversubscription (taper) k, so a k:1 fat-tree gives 1/k. Hops count links crossed, endpoint
    links included for switched networks. Used by Wall 14 too.
    """
    if not isinstance(topology, str):  # several names: each on its own points
        names = np.asarray(topology, dtype=object)
        shape = np.broadcast_shapes(names.shape, *(np.shape(x) for x in (nodes, oversubscription, radix)))
        names = np.broadcast_to(names, shape)
        out = {key: np.empty(shape) for key in _KEYS}
        for name in set(names.ravel().tolist()):
            mask = names == name
            part = topology_metrics(name, *(np.broadcast_to(x, shape)[mask] for x in (nodes, oversubscription, radix)))
            for key in _KEYS:
                out[key][mask] = part[key]
        return out
    if topology not in _SHAPES:
        raise UnknownNameError("topology", topology, TOPOLOGIES, parameter="topology")
    n = nodes if isinstance(nodes, float) else np.asarray(nodes, dtype=float)
    fraction, diameter, hops = _SHAPES[topology](n, radix if isinstance(radix, float) else np.asarray(radix, float))
    fraction = np.minimum(fraction, 1.0)
    return {"bisection_fraction": fraction, "fraction_of_link": fraction / oversubscription,
            "diameter": diameter, "average_hops": hops}


def evaluate(link_bandwidth, topology, nodes, oversubscription, radix):
    metrics = topology_metrics(topology, nodes, oversubscription, radix)
    fraction = metrics["fraction_of_link"]
    return {"effective_bandwidth": link_bandwidth * fraction, **metrics,
            "bisection_bandwidth": nodes / 2 * link_bandwidth * fraction,
            "regime": choose(fraction >= 1 - 1e-12, "full-bandwidth", "bisection-limited")}


def explain(r) -> str:
    return (f"Wired as {r.fmt('topology')}, {r.fmt('nodes')} endpoints keep {r.fmt('bisection_fraction')} of a full "
            f"bisection; tapered {r.fmt('oversubscription')}:1, each endpoint gets {r.fmt('fraction_of_link')} of "
            f"its {r.fmt('link_bandwidth')} link ({r.fmt('effective_bandwidth')}) for traffic crossing the middle, "
            f"over paths of {r.fmt('average_hops')} links on average ({r.fmt('diameter')} at most).")


WALL = Wall(
    number=10,
    slug="locality",
    title="The Locality Wall",
    domain="data",
    question="How much of the raw link speed does the network's topology let traffic use?",
    equation="effective_bandwidth = link_bandwidth × bisection_fraction / oversubscription",
    latex=r"BW_\text{eff} = BW_\text{link}\cdot\frac{f_\text{bisection}}{k_\text{over}}",
    explanation=(
        "Cut the network into two equal halves: the links crossing the cut are all the bandwidth "
        "that traffic between the halves can have. A non-blocking fat-tree or a single switch keeps "
        "a link's worth per endpoint across any cut; a ring or torus keeps only a few links per "
        "dimension, so the share falls as the machine grows (4/k for a k-ary torus), and a tree "
        "whose uplinks are tapered k:1 gives each endpoint 1/k. Distance matters too: more hops "
        "mean more latency and more links shared."
    ),
    inputs=[
        Input("link_bandwidth", "bandwidth", "bandwidth of one endpoint's link into the network",
              low=0, low_open=True, typical=(1e9, 1e12)),
        Input("topology", "choice", "how the endpoints are wired", choices=TOPOLOGIES),
        Input("nodes", "count", "endpoints (GPUs, chips or hosts) on the network", low=2, integer=True,
              typical=(8, 100000)),
        Input("oversubscription", "number", "taper k of a k:1 oversubscribed network (1 = non-blocking)",
              default=1.0, low=1, typical=(1, 8)),
        Input("radix", "count", "ports per switch (sets fat-tree levels and dragonfly group size)",
              default=64, low=4, integer=True, typical=(8, 128)),
    ],
    outputs=[
        Output("effective_bandwidth", "bandwidth", "per-endpoint bandwidth for traffic crossing the bisection"),
        Output("bisection_fraction", "fraction", "share of a full bisection the wiring provides"),
        Output("fraction_of_link", "fraction", "share of the link left: bisection fraction / oversubscription"),
        Output("bisection_bandwidth", "bandwidth", "total bandwidth across the bisection, one direction"),
        Output("diameter", "count", "links crossed on the longest shortest path"),
        Output("average_hops", "number", "links crossed on an average path"),
        Output("regime", "text", "full-bandwidth or bisection-limited"),
    ],
    regimes=("full-bandwidth", "bisection-limited"),
    inverses={("effective_bandwidth", "link_bandwidth"): lambda target, v: target / evaluate(
        1.0, v["topology"], v["nodes"], v["oversubscription"], v["radix"])["fraction_of_link"]},
    evaluate=evaluate,
    explain=explain,
    headline="effective_bandwidth",
    examples=[
        Example({"link_bandwidth": "50 GB/s", "topology": "fat-tree", "nodes": 1024},
                {"fraction_of_link": 1.0, "effective_bandwidth": 50e9, "diameter": 4},
                source="issue 3 worked example: a non-blocking fat-tree keeps 100% of link bandwidth "
                       "(NDR InfiniBand, 400 Gb/s = 50 GB/s per port)"),
        Example({"link_bandwidth": "50 GB/s", "topology": "oversubscribed-fat-tree", "nodes": 1024,
                 "oversubscription": 4},
                {"fraction_of_link": 0.25, "effective_bandwidth": 12.5e9},
                source="issue 3 worked example: a 4:1 oversubscribed fat-tree gives 25%"),
        Example({"link_bandwidth": "50 GB/s", "topology": "torus-2d", "nodes": 256},
                {"bisection_fraction": 0.25, "bisection_bandwidth": 1.6e12},
                source="Google Cloud TPU v5e docs: 256-chip 2D-torus pod, 400 GBps bidirectional ICI per "
                       "chip over 4 ports (50 GB/s per port each way), bisection 1.6 TB/s"),
    ],
    caveats=("Bisection bounds traffic that must cross the middle (all-to-all, random placement). "
             "Collectives mapped onto neighbours (a ring all-reduce on a ring or torus) can beat it; "
             "Wall 14 models those. Non-cubic tori are treated as k^d with k = n^(1/d); the dragonfly "
             "assumes balanced routers and evenly spread global links; congestion and routing are ignored."),
)
