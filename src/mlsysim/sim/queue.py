"""Discrete-event simulation of an FCFS multi-server queue, to cross-check the Erlang C formulas.

Each arrival takes the server that frees up first (a heap of free times), which is exact for
FCFS with identical servers; waits and responses are recorded per request. Used by the tests
of Wall 7 and Wall 16, never on a hot path.
"""

from __future__ import annotations

import heapq

import numpy as np


def simulate_queue(arrival_rate: float, service_times, servers: int, requests: int = 200_000,
                   seed: int = 0, warmup: float = 0.1) -> dict[str, np.ndarray]:
    """Waits and responses of `requests` Poisson arrivals served FCFS by `servers` servers.

    `service_times` is a mean service time (exponential) or a callable(rng, n) -> samples.
    The first `warmup` fraction of requests is dropped so the queue starts near steady state.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / arrival_rate, requests))
    if callable(service_times):
        service = np.asarray(service_times(rng, requests), dtype=float)
    else:
        service = rng.exponential(float(service_times), requests)
    free = [0.0] * servers
    waits = np.empty(requests)
    for i in range(requests):
        start = max(arrivals[i], heapq.heappop(free))
        waits[i] = start - arrivals[i]
        heapq.heappush(free, start + service[i])
    keep = slice(int(warmup * requests), None)
    return {"wait": waits[keep], "response": (waits + service)[keep]}
