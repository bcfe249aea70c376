"""Wall 8, ingestion: can storage deliver bytes as fast as the accelerators consume them?"""

from __future__ import annotations

import numpy as np

from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of


def evaluate(devices, samples_per_second, sample_bytes, storage_bandwidth, drives, storage,
             cache_hit_rate, access, iops):
    if storage_bandwidth is None:
        storage_bandwidth = field_of(storage, "read_bandwidth", "storage_bandwidth")
    per_drive = storage_bandwidth
    if access == "random":
        # One read per sample: a drive delivers at most IOPS × sample size (an HDD at ~300 IOPS
        # moves ~33 MB/s of 110 kB files, a tenth of its sequential rating).
        if iops is None:
            iops = field_of(storage, "iops", "iops")
        per_drive = np.minimum(storage_bandwidth, iops * sample_bytes)
    demand = devices * samples_per_second * sample_bytes
    from_storage = demand * (1 - cache_hit_rate)  # a page cache or local copy serves the rest
    supply = drives * per_drive
    utilization = from_storage / supply
    return {
        "demand": demand,
        "storage_demand": from_storage,
        "supply": supply,
        "per_drive_bandwidth": per_drive,
        "utilization": utilization,
        "idle_fraction": np.maximum(0.0, 1 - 1 / np.maximum(utilization, 1e-300)),
        "delivered_rate": samples_per_second * np.minimum(1.0, 1 / np.maximum(utilization, 1e-300)),
        "drives_needed": np.ceil(from_storage / per_drive - 1e-9),
        "regime": choose(utilization > 1, "starved", "fed"),
    }


def _iops_known(v):
    known = v["iops"] is not None or v["storage"] is not None
    access = v["access"]
    return known or (access != "random" if isinstance(access, str) else np.asarray(access, dtype=object) != "random")


def explain(r) -> str:
    text = (f"{r.fmt('devices')} accelerators × {r.fmt('samples_per_second')} × {r.fmt('sample_bytes')} need "
            f"{r.fmt('demand')}; {r.fmt('drives')} × {r.fmt('per_drive_bandwidth')} supplies {r.fmt('supply')}, "
            f"a utilization of {r.fmt('utilization')}.")
    if np.any(np.asarray(r.outputs["utilization"]) > 1):
        text += (f" Starved: the accelerators sit idle {r.fmt('idle_fraction')} of the time; "
                 f"{r.fmt('drives_needed')} drives would remove the stall.")
    return text


WALL = Wall(
    number=8,
    slug="ingestion",
    title="The Ingestion Wall",
    domain="data",
    question="Can storage deliver data as fast as the accelerators consume it?",
    equation="utilization = demand / supply;  demand = devices × samples/s × bytes;  supply = drives × bandwidth",
    latex=r"U = \frac{N\,r\,b\,(1-h)}{D \cdot BW_\text{drive}},\quad \text{idle} = \max(0,\ 1 - 1/U)",
    explanation=(
        "Every accelerator eats samples at a fixed rate, so a training job needs a steady stream of "
        "bytes: devices times samples per second times bytes per sample. Storage can hand over only "
        "as many bytes per second as its drives (or clients, or connections) add up to. Above a "
        "utilization of 1 the pipeline runs at the storage's pace and the accelerators wait for the "
        "rest of each second; below 1 there is headroom. Small random reads are bounded by IOPS, not "
        "by the sequential rating, which is why datasets are packed into large shards."
    ),
    inputs=[
        Input("devices", "count", "accelerators reading data", low=1, integer=True, typical=(1, 100000)),
        Input("samples_per_second", "rate", "samples each accelerator consumes per second",
              low=0, low_open=True, typical=(1, 1e5)),
        Input("sample_bytes", "bytes", "bytes read per sample (e.g. a 110 kB JPEG)", low=0, low_open=True,
              typical=(1e3, 1e8)),
        Input("storage_bandwidth", "bandwidth", "read bandwidth of one drive (client, connection) instead "
              "of storage", default=None, low=0, low_open=True, typical=(1e8, 1e11)),
        Input("drives", "count", "drives (or clients, connections) serving the data", default=1, low=1,
              integer=True, typical=(1, 10000)),
        Input("storage", "storage", "storage spec whose read bandwidth (and IOPS) to use", default=None),
        Input("cache_hit_rate", "fraction", "share of reads served from a cache instead of storage",
              default=0.0, low=0, high=1, typical=(0, 0.9)),
        Input("access", "choice", "sequential (packed shards) or random (one read per sample)",
              default="sequential", choices=("sequential", "random")),
        Input("iops", "rate", "random reads per second of one drive (random access; default: storage's)",
              default=None, low=0, low_open=True, typical=(1e2, 1e7)),
    ],
    outputs=[
        Output("utilization", "number", "demand on storage / supply (> 1: starved)"),
        Output("demand", "bandwidth", "bytes per second the accelerators consume"),
        Output("storage_demand", "bandwidth", "the part of the demand storage must serve (after the cache)"),
        Output("supply", "bandwidth", "bytes per second the drives deliver"),
        Output("per_drive_bandwidth", "bandwidth", "what one drive delivers for this access pattern"),
        Output("idle_fraction", "fraction", "share of time the accelerators wait: 1 − supply/demand"),
        Output("delivered_rate", "rate", "samples per second each accelerator actually gets"),
        Output("drives_needed", "count", "drives that would remove the stall"),
        Output("regime", "text", "starved or fed"),
    ],
    constraints=[
        Constraint(lambda v: v["storage_bandwidth"] is not None or v["storage"] is not None,
                   "ingestion: give storage_bandwidth (per drive), or storage", "storage_bandwidth"),
        Constraint(_iops_known,
                   "ingestion: random access needs iops (per drive), or a storage spec that has it", "iops"),
    ],
    inverses={("utilization", "drives"): lambda target, v: v["devices"] * v["samples_per_second"]
              * v["sample_bytes"] * (1 - v["cache_hit_rate"]) / (target * v["storage_bandwidth"])},
    regimes=("starved", "fed"),
    evaluate=evaluate,
    explain=explain,
    headline="utilization",
    examples=[
        Example({"devices": 1024, "samples_per_second": "2000/s", "sample_bytes": "110 kB",
                 "storage_bandwidth": "7 GB/s", "drives": 10},
                {"demand": 225.28e9, "supply": 70e9, "utilization": 3.218, "idle_fraction": 0.6893,
                 "drives_needed": 33},
                source="issue 3 worked example: 1,024 accelerators × 2,000 samples/s × 110 KB ≈ 225 GB/s "
                       "against 10 NVMe drives at 7 GB/s = 70 GB/s; utilization 3.2, idle ~69%"),
        Example({"devices": 8, "samples_per_second": "3000/s", "sample_bytes": "110 kB", "drives": 12,
                 "storage": "exos-2x14", "access": "random"},
                {"per_drive_bandwidth": 304 * 110e3, "utilization": 6.579},
                source="Seagate Exos 2X14 (Tom's Hardware): 304 random-read IOPS; 110 kB per read"),
    ],
    caveats=("Assumes reads overlap compute perfectly (prefetching), so the slower side sets the pace; "
             "ratings are the vendor's, networks between storage and hosts are not modelled, and "
             "shared storage divides its aggregate among every job using it."),
)
