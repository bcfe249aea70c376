"""Wall 7, tail latency: queueing delay of an M/M/c server pool (Erlang C), mean and percentiles."""

from __future__ import annotations

from mlsysim.errors import InfeasibleError
from mlsysim.queueing import erlang_c, mmc_response_quantile, mmc_wait_quantile
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose


def evaluate(arrival_rate, service_rate, servers):
    load = arrival_rate / service_rate  # offered load in erlangs
    utilization = load / servers
    p_wait = erlang_c(servers, load)
    drain = servers * service_rate - arrival_rate  # rate at which a backlog empties
    mean_wait = p_wait / drain
    service_time = 1.0 / service_rate
    outputs = {
        "utilization": utilization,
        "probability_wait": p_wait,
        "mean_wait": mean_wait,
        "mean_response": mean_wait + service_time,
        "wait_ratio": mean_wait / service_time,
    }
    for p, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        outputs[f"wait_{label}"] = mmc_wait_quantile(p_wait, drain, p)
        outputs[f"response_{label}"] = mmc_response_quantile(p_wait, drain, service_rate, p)
    outputs["tail_ratio"] = outputs["response_p99"] / outputs["mean_response"]
    outputs["regime"] = choose(utilization < 0.7, "comfortable", choose(utilization < 0.9, "busy", "saturating"))
    return outputs


def explain(r) -> str:
    return (f"{r.fmt('utilization')} busy across {r.fmt('servers')} server(s): a request waits with probability "
            f"{r.fmt('probability_wait')}, {r.fmt('mean_wait')} on average ({r.fmt('wait_ratio')}× the service "
            f"time); P99 response is {r.fmt('response_p99')} against a mean of {r.fmt('mean_response')}. "
            f"Waiting grows like 1/(1 − utilization), so the last few percent of utilization cost the most.")


WALL = Wall(
    number=7,
    slug="tail-latency",
    title="The Tail Latency Wall",
    domain="node",
    question="How long do requests wait when the servers are busy?",
    equation="P(wait) = ErlangC(c, λ/μ);  Wq = P(wait) / (cμ − λ);  P(W > t) = P(wait)·e^{−(cμ−λ)t}",
    latex=r"C(c,a)=\frac{1}{\frac{1-\rho}{B(c,a)}+\rho},\quad W_q=\frac{C}{c\mu-\lambda}",
    explanation=(
        "Requests arrive at random and each server handles one at a time. When all servers are "
        "busy, new requests queue. The Erlang C formula gives the chance of having to queue in an "
        "M/M/c system (Poisson arrivals, exponential service, c servers); the wait, when there is "
        "one, is exponential with rate cμ − λ, the speed at which the backlog drains. As utilization "
        "approaches 1 that drain rate approaches 0, so average and especially tail waits explode "
        "long before the servers are 'full'."
    ),
    inputs=[
        Input("arrival_rate", "rate", "requests arriving per second (λ)", low=0, low_open=True, typical=(0.1, 1e4)),
        Input("service_rate", "rate", "requests one server completes per second (μ)", low=0, low_open=True,
              typical=(0.1, 1e3)),
        Input("servers", "count", "servers (or replicas) sharing the queue (c)", default=1, low=1, high=100_000,
              integer=True, typical=(1, 1000)),
    ],
    outputs=[
        Output("utilization", "fraction", "ρ = λ / (c·μ)"),
        Output("probability_wait", "fraction", "Erlang C: chance an arrival has to queue"),
        Output("mean_wait", "time", "mean time spent queueing"),
        Output("mean_response", "time", "mean wait plus mean service time"),
        Output("wait_ratio", "number", "mean wait in units of the mean service time"),
        Output("wait_p50", "time", "median wait"),
        Output("wait_p95", "time", "95th-percentile wait"),
        Output("wait_p99", "time", "99th-percentile wait"),
        Output("response_p50", "time", "median response time"),
        Output("response_p95", "time", "95th-percentile response time"),
        Output("response_p99", "time", "99th-percentile response time"),
        Output("tail_ratio", "number", "P99 response over mean response"),
        Output("regime", "text", "comfortable (< 70 %), busy (< 90 %) or saturating"),
    ],
    constraints=[
        Constraint(lambda v: v["arrival_rate"] < v["servers"] * v["service_rate"],
                   "tail-latency: unstable queue — arrivals {arrival_rate} meet or exceed capacity "
                   "{servers} × {service_rate}; utilization must be below 100%", "arrival_rate",
                   error=InfeasibleError),
    ],
    regimes=("comfortable", "busy", "saturating"),
    evaluate=evaluate,
    explain=explain,
    headline="mean_wait",
    examples=[
        Example({"arrival_rate": "0.95/s", "service_rate": "1/s", "servers": 1},
                {"probability_wait": 0.95, "mean_wait": 19.0, "wait_ratio": 19.0},
                source="spec, Wall 7; M/M/1: P(wait) = ρ, Wq = ρ/(μ − λ) = 19 service times at ρ = 0.95"),
        Example({"arrival_rate": "8/s", "service_rate": "1/s", "servers": 10}, {"probability_wait": 0.40918},
                rtol=1e-4, source="published.json queue-erlangc-A8-N10: Erlang C(10, 8 erlangs) = 0.40918"),
    ],
    caveats=("Assumes Poisson arrivals and exponential service times with one shared FIFO queue; LLM "
             "requests with continuous batching are served concurrently, which this does not model."),
    sources=("A. K. Erlang (1917); D. L. Jagerman, 'Some properties of the Erlang loss function', BSTJ 1974",),
)
