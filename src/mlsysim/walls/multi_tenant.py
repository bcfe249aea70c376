"""Wall 16, multi-tenant: how long jobs queue on a shared cluster (M/D/1, M/M/1, M/G/1, M/G/c)."""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InfeasibleError
from mlsysim.queueing import mgc_wait
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose


def load(v):
    """Utilization ρ: given, or λ · E[S] / c from the arrival rate."""
    if v["utilization"] is not None:
        return v["utilization"]
    return v["arrival_rate"] * v["job_duration"] / v["servers"]


# Kendall's notation: deterministic, exponential (memoryless) or general job lengths; one or c servers.
KENDALL = np.array(["M/D/1", "M/M/1", "M/G/1", "M/D/c", "M/M/c", "M/G/c"], dtype=object)


def evaluate(utilization, arrival_rate, job_duration, cv, servers):
    rho = load({"utilization": utilization, "arrival_rate": arrival_rate, "job_duration": job_duration,
                "servers": servers})
    arrivals = rho * servers / job_duration  # λ
    # Pollaczek–Khinchine for one server, ρ(1 + cv²)/(2(1 − ρ))·E[S] (cv = 0 is the spec's M/D/1 law);
    # for c servers the Lee–Longton approximation Wq(M/M/c)·(1 + cv²)/2 (queueing.mgc_wait).
    wait = mgc_wait(servers, rho, job_duration, cv)
    ratio = wait / job_duration
    model = KENDALL[np.where(cv == 0, 0, np.where(cv == 1, 1, 2)) + 3 * (servers != 1)]
    return {"wait": wait, "wait_ratio": ratio, "queue_length": arrivals * wait,  # Little's law: Lq = λ·Wq
            "response_time": wait + job_duration, "server_utilization": rho, "submission_rate": arrivals,
            "model": model,
            "regime": choose(ratio < 0.1, "responsive", choose(ratio < 1, "congested", "backlogged"))}


def explain(r) -> str:
    return (f"At {r.fmt('server_utilization')} utilization ({r.fmt('model')}, {r.fmt('servers')} server(s), job-length "
            f"cv {r.fmt('cv')}), a {r.fmt('job_duration')} job waits {r.fmt('wait')} on average, "
            f"{r.fmt('wait_ratio')}× its own length, with {r.fmt('queue_length')} jobs in line ({r.fmt('regime')}). "
            f"Waiting grows like ρ/(1 − ρ), so the last few points of utilization cost the most.")


def _stable(v):
    if v["utilization"] is None and v["arrival_rate"] is None:
        return True  # reported by the constraint before
    return load(v) < 1


def _inverse_utilization(ratio, v):
    """ρ for a target wait ratio r on one server: r = ρ(1 + cv²)/(2(1 − ρ)) ⇒ ρ = 2r / (1 + cv² + 2r)."""
    return 2 * ratio / (1 + v["cv"] ** 2 + 2 * ratio)


WALL = Wall(
    number=16, slug="multi-tenant", title="The Multi-tenant Wall", domain="fleet",
    question="How long do jobs wait for a shared cluster?",
    equation="M/D/1: wait = ρ / (2μ(1 − ρ));  M/G/1: wait = ρ(1 + cv²) / (2(1 − ρ)) × job_duration",
    latex=r"W_q = \frac{\rho}{2\mu(1-\rho)},\quad W_q^{M/G/1} = \frac{\rho\,(1+c_v^2)}{2(1-\rho)}\,E[S]",
    explanation=(
        "When teams share a cluster, jobs arrive whenever people submit them and queue while the "
        "machines are busy. The mean wait depends on how busy the cluster is (ρ) and how uneven the jobs "
        "are (the coefficient of variation of their durations, cv): the Pollaczek–Khinchine formula "
        "gives ρ(1 + cv²)/(2(1 − ρ)) job-lengths of waiting on one server. Equal-length jobs (cv = 0, "
        "M/D/1) at 80 % utilization already wait twice their own length; exponential ones (cv = 1) wait "
        "four times. Several servers (slots) shorten the wait at the same utilization."),
    inputs=[
        Input("utilization", "fraction", "fraction of the cluster's capacity that jobs demand (ρ)", default=None,
              low=0, low_open=True, typical=(0.05, 0.95)),
        Input("arrival_rate", "rate", "jobs submitted per unit time (λ), instead of utilization", default=None,
              low=0, low_open=True, typical=(1e-6, 1e-2)),
        Input("job_duration", "time", "mean run time of a job, E[S] = 1/μ", low=0, low_open=True,
              typical=(60, 1e6)),
        Input("cv", "number", "coefficient of variation of job durations (0: equal jobs, M/D; 1: exponential, "
              "M/M)", default=0.0, low=0, typical=(0, 3)),
        Input("servers", "count", "jobs the cluster can run at once (c)", default=1, low=1, integer=True,
              typical=(1, 1000)),
    ],
    outputs=[
        Output("wait", "time", "mean time a job waits before it starts (Wq)"),
        Output("wait_ratio", "number", "mean wait as a multiple of the job duration"),
        Output("queue_length", "number", "mean jobs waiting (Lq = λ·Wq)"),
        Output("response_time", "time", "mean wait plus run time"),
        Output("server_utilization", "fraction", "ρ = λ·E[S]/c, given or derived"),
        Output("submission_rate", "rate", "λ, jobs submitted per unit time, given or derived"),
        Output("model", "text", "the queue in Kendall's notation"),
        Output("regime", "text", "responsive (< 0.1 job of waiting), congested (< 1) or backlogged"),
    ],
    constraints=[
        Constraint(lambda v: (v["utilization"] is None) != (v["arrival_rate"] is None),
                   "multi-tenant: give utilization or arrival_rate (one of them)", "utilization"),
        Constraint(_stable, "multi-tenant: unstable queue — the jobs need all the capacity or more (utilization "
                   "{utilization}, arrival_rate {arrival_rate}); utilization must be below 100%", "utilization",
                   error=InfeasibleError),
    ],
    inverses={("wait_ratio", "utilization"): _inverse_utilization,
              ("wait", "utilization"): lambda target, v: _inverse_utilization(target / v["job_duration"], v)},
    regimes=("responsive", "congested", "backlogged"),
    evaluate=evaluate, explain=explain, headline="wait",
    examples=[
        Example({"utilization": 0.8, "job_duration": "1 h"}, {"wait": 7200, "wait_ratio": 2.0, "queue_length": 1.6},
                source="spec, Wall 16 (M/D/1 at 80 % waits 2× the job); published.json queue-md1-lq-rho0.8: Lq = 1.6"),
        Example({"utilization": 0.8, "job_duration": "1 h", "cv": 1}, {"wait_ratio": 4.0, "queue_length": 3.2},
                source="published.json queue-mm1-lq-rho0.8: M/M/1 Lq = ρ²/(1 − ρ) = 3.2"),
        Example({"utilization": 0.8, "job_duration": "1 h", "cv": 1, "servers": 10}, {"wait_ratio": 0.40918 / 2},
                rtol=1e-4, source="published.json queue-erlangc-A8-N10: C(10, 8) = 0.40918; Wq = C/(cμ − λ)"),
    ],
    caveats=("Poisson arrivals, one FIFO queue, a job holds its slot until done; real schedulers have "
             "priorities, gang scheduling, preemption and jobs of different widths. M/G/c is the Lee–Longton "
             "approximation, exact for one server or exponential jobs."),
    sources=("Pollaczek (1930) and Khinchine (1932), mean wait of M/G/1",
             "Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory, 4th ed., §6.4 (M/G/c)"),
)
