"""parallelism="auto": the fastest (tp, pp, vpp, micro-batch, recompute, ep) plan that fits.

Candidates are enumerated as arrays and evaluated in ONE broadcast call with invalid="nan", so
plans that break a rule or do not fit drop out as NaN rather than as exceptions; the Wall core
groups the recompute choices, everything else stays vectorized.
"""

from __future__ import annotations

import itertools

import numpy as np

from mlsysim.errors import InfeasibleError

TP = (1, 2, 4, 8, 16)
PP = (1, 2, 4, 8, 16, 32, 64)
VPP = (1, 2, 4)
MICRO = (1, 2, 4, 8)
RECOMPUTE = ("none", "selective", "full")
EP = (1, 2, 4, 8, 16, 32, 64)


def candidates(model, devices: int, node: int, given: dict) -> dict[str, np.ndarray]:
    """Plans to try: degrees that divide what they must; inputs the user fixed stay fixed."""
    def options(name, default):
        return (given[name],) if given.get(name) is not None else default

    rows = []
    for tp, pp, vpp, micro, ep in itertools.product(options("tp", TP), options("pp", PP), options("vpp", VPP),
                                                    options("micro_batch", MICRO),
                                                    options("ep", EP if model.experts else (1,))):
        if tp > node or model.heads % tp or devices % (tp * pp) or pp * vpp > model.layers:
            continue
        if pp == 1 and vpp > 1:
            continue
        rows.append((tp, pp, vpp, micro, ep))
    if not rows:
        raise InfeasibleError(f"parallelism: no (tp, pp) split of {devices} devices suits {model.name}",
                              parameter="parallelism")
    table = np.array(rows, dtype=float)
    recompute = options("recompute", RECOMPUTE)
    table = np.repeat(table, len(recompute), axis=0)
    chosen = np.empty(len(table), dtype=object)
    chosen[:] = list(recompute) * (len(table) // len(recompute))
    names = ("tp", "pp", "vpp", "micro_batch", "ep")
    return {**{n: table[:, i] for i, n in enumerate(names)}, "recompute": chosen}


def search(scenario, inputs: dict, keep: int = 5):
    """Evaluate every candidate at once; return the fastest plan's result, with runners-up."""
    from mlsysim.specs import lookup
    from mlsysim.units import parse

    model = lookup("model", inputs["model"])
    hardware = lookup("hardware", inputs["hardware"])
    devices = int(parse(inputs["devices"], "count", name="devices"))
    node = int(inputs.get("devices_per_node") or hardware.devices_per_node or 8)
    fixed = {k: v for k, v in inputs.items() if k != "parallelism"}
    plans = candidates(model, devices, node, {k: fixed.pop(k, None) for k in ("tp", "pp", "vpp", "micro_batch",
                                                                              "ep", "recompute")})
    fixed.pop("dp", None)
    result = scenario(invalid="nan", **fixed, **plans, parallelism="manual")
    time = np.asarray(result.outputs["time"], dtype=float)
    order = [i for i in np.argsort(np.where(np.isfinite(time), time, np.inf)) if np.isfinite(time[i])]
    if not order:
        reason = next((r for r in result.reasons if r), "no candidate plan is valid")
        raise InfeasibleError(f"parallelism: no plan fits or divides evenly; for example: {reason}",
                              parameter="parallelism")
    rows = [_row(plans, result, i) for i in order[:keep]]
    best = {k: rows[0][k] for k in ("tp", "pp", "vpp", "micro_batch", "ep", "recompute")}
    final = scenario(**fixed, **best, parallelism="manual")
    final.outputs["runners_up"] = rows[1:]
    final.outputs["candidates_evaluated"] = len(time)
    return final


def _row(plans, result, i) -> dict:
    row = {k: (int(v[i]) if k != "recompute" else v[i]) for k, v in plans.items()}
    for name in ("time", "mfu", "memory_per_device", "dp"):
        row[name] = float(np.asarray(result.outputs[name], dtype=float)[i])
    return row
