"""Queueing checkpoints: Erlang C through Wall 7 (tail latency), M/M/1 and M/D/1 queue lengths
through Wall 16 (multi-tenant), Erlang B through `mlsysim.queueing.erlang_b`."""

from __future__ import annotations

from mlsysim.validation.categories._common import config_number
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "queueing"


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    if "erlang c" in quantity:
        return _erlang_c(record)
    if "erlang b" in quantity:
        return _erlang_b(record)
    if "queue length" in quantity and ("m/m/1" in quantity or "m/d/1" in quantity):
        return _queue_length(record, cv=0.0 if "m/d/1" in quantity else 1.0)
    raise NotExpressible(f"no queueing law in mlsysim matches {record.quantity!r}")


def _erlang_c(record) -> Prediction:
    import mlsysim as ms

    load, servers = config_number(record, "A_erlangs"), config_number(record, "servers")
    # Offered load A = λ/μ: with μ = 1 per second the arrival rate is A per second.
    result = ms.wall("tail-latency")(arrival_rate=load, service_rate=1.0, servers=int(servers))
    return Prediction(float(result.outputs["probability_wait"]), record.unit,
                      f"Erlang C with {servers:g} servers at {load:g} Erlangs (λ = A, μ = 1): "
                      f"P(wait) = {result.outputs['probability_wait']:.6g}.",
                      (Call.of(result, outputs=["utilization", "probability_wait", "mean_wait"]),))


def _erlang_b(record) -> Prediction:
    from mlsysim.queueing import erlang_b

    load, servers = config_number(record, "A_erlangs"), config_number(record, "servers")
    blocking = float(erlang_b(int(servers), load))
    call = Call("mlsysim.queueing.erlang_b", {"servers": f"{servers:g}", "offered_load": f"{load:g} Erl"},
                {"blocking_probability": f"{blocking:.6g}"},
                "Erlang B by the inverse recursion 1/B(n) = 1 + n/(A·B(n−1)): the chance an arrival finds "
                "every server busy when blocked arrivals leave (M/M/c/c).")
    return Prediction(blocking, record.unit, f"Erlang B, {servers:g} servers, {load:g} Erlangs: "
                      f"blocking probability {blocking:.6g}.", (call,))


def _queue_length(record, cv: float) -> Prediction:
    import mlsysim as ms

    rho = config_number(record, "rho")
    # Job length 1 s: the queue length Lq = λ·Wq does not depend on the time unit.
    result = ms.wall("multi-tenant")(utilization=rho, job_duration=1.0, cv=cv, servers=1)
    lq = float(result.outputs["queue_length"])
    return Prediction(lq, record.unit, f"{result.outputs['model']} at ρ = {rho:g}: Pollaczek–Khinchine wait "
                      f"{result.outputs['wait']:.4g} job lengths, so Lq = λ·Wq = {lq:.4g} (Little's law).",
                      (Call.of(result, outputs=["model", "wait", "queue_length"]),))
