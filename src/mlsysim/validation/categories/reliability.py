"""Cluster reliability through Wall 15 (fragility): failures of N independent parts over a job.

Wall 15 needs a per-component failure rate. Only a rate given by the record itself (an
annualized failure rate) or measured on other clusters may be used: the Llama 3 interruption
counts cannot be predicted from a rate fitted to the Llama 3 run, and the hardware registry has
no sourced MTBF, so those records are listed as not expressible with what is missing.
"""

from __future__ import annotations

from mlsysim.units import SECONDS_PER_DAY, SECONDS_PER_YEAR
from mlsysim.validation.categories._common import config_number
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "reliability"
# The specification's illustrative per-GPU MTBF (Wall 15: "one GPU fails every 50,000 hours"):
# quoted in reasons for context, never used as a prediction.
ILLUSTRATIVE_MTBF = 50_000 * 3600.0
_MISSING_RATE = ("a per-GPU (and per-host, NIC, switch) failure rate measured on other clusters, e.g. Meta's "
                 "RSC-1/RSC-2 study (Kokolis et al., arXiv:2410.21680): the hardware registry has no sourced "
                 "MTBF, and a rate derived from this run would be circular")
_CAUSES = ("faulty gpu", "hbm", "software", "network", "host maintenance", "silent data corruption")


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    if "per_gpu_AFR" in record.config:
        return _annual_rate(record)
    if "planned" in quantity and "unplanned" not in quantity:
        raise NotExpressible("planned interruptions (maintenance, firmware, configuration) follow an operations "
                             "policy, not a failure law")
    if "manual" in quantity and "restart" not in quantity:
        raise NotExpressible("manual interventions count operator decisions, not failures of parts")
    if "effective training time" in quantity:
        raise NotExpressible("ETTR needs the failure rate plus the run's checkpoint interval, save and restart "
                             "times (Walls 15 and 19); the record gives none of them, and " + _MISSING_RATE)
    if any(cause in quantity for cause in _CAUSES):
        raise NotExpressible(f"a failure rate for this cause alone, from a study other than Llama 3; "
                             f"Wall 15 takes one rate per part type. Missing: {_MISSING_RATE}")
    if "restarts" in quantity:
        raise NotExpressible("restarts over an approximate window (~2 months) that needed an operator; needs an "
                             f"A100 failure rate and the share of failures restarted by hand. Missing: {_MISSING_RATE}")
    if "interruptions" in quantity:
        planned = "" if "unexpected" in quantity else " (the total also counts planned maintenance, a policy)"
        raise NotExpressible(f"needs {_MISSING_RATE}{planned}. For context only: with the specification's illustrative "
                             f"50,000 h per GPU, Wall 15 gives {_illustrative(record):.0f} failures")
    raise NotExpressible(f"Wall 15 has no output for {record.quantity!r}")


def _annual_rate(record) -> Prediction:
    import mlsysim as ms

    rate, gpus, days = (config_number(record, k) for k in ("per_gpu_AFR", "num_gpus", "days"))
    # An annualized failure rate of r means r failures per device-year: MTBF = 1 year / r.
    result = ms.wall("fragility")(component_mtbf=SECONDS_PER_YEAR / rate, components=int(gpus),
                                  job_duration=days * SECONDS_PER_DAY)
    probability = float(result.outputs["probability_failure"])
    value = probability * 100.0 if record.unit.strip().startswith("%") else probability
    return Prediction(value, record.unit, f"{rate:.0%} a year per GPU is an MTBF of {result.fmt('component_mtbf')}; "
                      f"{gpus:,.0f} GPUs for {days:g} days expect {result.fmt('expected_failures')} failures, so "
                      f"P(at least one) = 1 − e^−λt = {probability:.1%}.",
                      (Call.of(result, outputs=["cluster_mtbf", "expected_failures", "probability_failure"]),))


def _illustrative(record) -> float:
    import mlsysim as ms

    gpus = config_number(record, "num_gpus")
    days = config_number(record, "window_days")
    result = ms.wall("fragility")(component_mtbf=ILLUSTRATIVE_MTBF, components=int(gpus),
                                  job_duration=days * SECONDS_PER_DAY)
    return float(result.outputs["expected_failures"])
