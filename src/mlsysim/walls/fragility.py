"""Wall 15, fragility: cluster MTBF = component MTBF / N, failures during a job, and the chance of none."""

from __future__ import annotations

import numpy as np

from mlsysim.walls.core import Example, Input, Output, Wall
from mlsysim.walls.support import choose

# Other part types: the input holding their MTBF, and how many of them each component brings.
PARTS = {"hosts": ("host_mtbf", lambda v: 1.0 / v["components_per_host"]),
         "NICs": ("nic_mtbf", lambda v: v["nics_per_component"]),
         "switches": ("switch_mtbf", lambda v: 1.0 / v["components_per_switch"])}


def failure_rates(v) -> dict:
    """Failures per second of each part type; independent exponential failures, so rates add."""
    rates = {"components": v["components"] / v["component_mtbf"]}
    for part, (mtbf, per_component) in PARTS.items():
        if v[mtbf] is not None:
            rates[part] = v["components"] * per_component(v) / v[mtbf]
    return rates


def evaluate(**v):
    rates = failure_rates(v)
    total = sum(rates.values())
    mtbf = 1.0 / total
    names = list(rates)
    dominant = np.array(names, dtype=object)[np.argmax(np.broadcast_arrays(*rates.values()), axis=0)]
    outputs = {"cluster_mtbf": mtbf, "failure_rate": total,
               "dominant": dominant if np.ndim(dominant) else str(dominant), "expected_failures": None,
               "probability_no_failure": None, "probability_failure": None, "regime": None}
    duration = v["job_duration"]
    if duration is not None:
        expected = duration * total
        survive = np.exp(-expected)  # Poisson arrivals: P(no failure in t) = exp(−t / MTBF)
        outputs.update(expected_failures=expected, probability_no_failure=survive,
                       probability_failure=-np.expm1(-expected),
                       regime=choose(expected < 0.1, "rarely interrupted",
                                     choose(expected < 1, "at risk", "failure-bound")))
    return outputs


def explain(r) -> str:
    text = (f"{r.fmt('components')} components, each lasting {r.fmt('component_mtbf')} between failures, give "
            f"the cluster one failure every {r.fmt('cluster_mtbf')}")
    several = any(r.inputs[mtbf] is not None for mtbf, _ in PARTS.values())
    text += f" (rates add; the {r.fmt('dominant')} fail most often)." if several else "."
    if r.outputs["expected_failures"] is not None:
        text += (f" A job of {r.fmt('job_duration')} should expect {r.fmt('expected_failures')} failures and runs "
                 f"clean with probability {r.fmt('probability_no_failure')} ({r.fmt('regime')}).")
    return text


WALL = Wall(
    number=15, slug="fragility", title="The Fragility Wall", domain="fleet",
    question="How often does something in the cluster fail, and will the job see a failure?",
    equation="cluster_mtbf = component_mtbf / components;  P(no failure) = exp(−job_duration / cluster_mtbf)",
    latex=(r"\text{MTBF}_\text{cluster} = \Big(\sum_i \frac{n_i}{\text{MTBF}_i}\Big)^{-1},"
           r"\quad P_0 = e^{-T/\text{MTBF}}"),
    explanation=(
        "A job that needs every device stops when any one of them fails. With independent parts that "
        "fail at random, failure rates add, so the cluster's mean time between failures is one part's "
        "MTBF divided by how many there are: a part that lasts years still interrupts a 100,000-GPU job "
        "every half hour. Hosts, NICs and switches add their own rates. Over a job, failures arrive as a "
        "Poisson process: duration ÷ MTBF of them on average, and exp(−duration ÷ MTBF) is the chance of "
        "none, which is why long runs at scale checkpoint (Wall 19)."),
    inputs=[
        Input("component_mtbf", "time", "mean time between failures of one component (e.g. one GPU)",
              low=0, low_open=True, typical=(1e7, 1e10)),
        Input("components", "count", "components the job needs (N)", low=1, typical=(1, 1e6)),
        Input("job_duration", "time", "wall-clock length of the job", default=None, low=0, typical=(3600, 1e7)),
        Input("host_mtbf", "time", "MTBF of one host (CPU, DRAM, board, power)", default=None, low=0,
              low_open=True, typical=(1e7, 1e10)),
        Input("components_per_host", "count", "components per host (8 in HGX/DGX servers)", default=8,
              low=1, typical=(1, 72)),
        Input("nic_mtbf", "time", "MTBF of one network interface", default=None, low=0, low_open=True,
              typical=(1e7, 1e10)),
        Input("nics_per_component", "number", "NICs per component (1 per GPU on a rail-optimized fabric)",
              default=1, low=0, typical=(0.125, 2)),
        Input("switch_mtbf", "time", "MTBF of one network switch", default=None, low=0, low_open=True,
              typical=(1e7, 1e10)),
        Input("components_per_switch", "number", "components per switch (e.g. 32 under a 64-port leaf)",
              default=32, low=0, low_open=True, typical=(4, 512)),
    ],
    outputs=[
        Output("cluster_mtbf", "time", "mean time between failures anywhere in the cluster"),
        Output("failure_rate", "rate", "failures per unit time, all parts together"),
        Output("dominant", "text", "the part type contributing most failures"),
        Output("expected_failures", "number", "failures expected during the job"),
        Output("probability_no_failure", "fraction", "chance the job sees no failure: exp(−duration/MTBF)"),
        Output("probability_failure", "fraction", "chance of at least one failure"),
        Output("regime", "text", "rarely interrupted (< 0.1 expected), at risk (< 1) or failure-bound"),
    ],
    regimes=("rarely interrupted", "at risk", "failure-bound"),
    inverses={("cluster_mtbf", "components"):
              lambda target, v: 1.0 / (target * sum(failure_rates({**v, "components": 1.0}).values()))},
    evaluate=evaluate, explain=explain, headline="cluster_mtbf",
    examples=[
        Example({"component_mtbf": "50000 h", "components": 1000, "job_duration": "30 days"},
                {"cluster_mtbf": 50 * 3600},
                source="spec, Wall 15: 1,000 GPUs at 50,000 h MTBF fail every 50 h"),
        Example({"component_mtbf": "50000 h", "components": 10_000}, {"cluster_mtbf": 5 * 3600},
                source="spec, Wall 15: 10,000 GPUs fail every 5 h"),
        Example({"component_mtbf": "50000 h", "components": 100_000}, {"cluster_mtbf": 30 * 60},
                source="spec, Wall 15: 100,000 GPUs fail every 30 minutes"),
        Example({"component_mtbf": "50000 h", "components": 16_384, "job_duration": "54 days"},
                {"expected_failures": 419}, rtol=0.02,
                source="Llama 3 (Dubey et al. 2024, arXiv:2407.21783, §3.3.4, Table 5): 419 unexpected "
                       "interruptions in 54 days on 16,384 H100s; 50,000 h per GPU predicts 425"),
        Example({"component_mtbf": "100 years", "components": 1024, "job_duration": "30 days"},
                {"probability_failure": 0.57}, rtol=0.01,
                source="Databricks GPU reliability blog (via published.json): 1 % annual failure rate per GPU, "
                       "1,024 GPUs, 30 days → 57 % chance of a failure"),
    ],
    caveats=("Assumes independent, memoryless (exponential) failures at a constant rate: no infant mortality "
             "or wear-out, no correlated failures (a rack's power, a bad software release). HBM and silent data "
             "corruption count toward the component's own MTBF. Every failure is taken to stop the job."),
    sources=("Llama Team, 'The Llama 3 Herd of Models', arXiv:2407.21783, 2024, §3.3.4 (interruption data)",
             "Barlow & Proschan, Mathematical Theory of Reliability, 1965 (series systems: failure rates add)"),
)
