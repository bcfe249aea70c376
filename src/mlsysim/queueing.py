"""Queueing formulas shared by the tail-latency (7) and multi-tenant (16) walls.

All functions broadcast over numpy arrays. Erlang B is computed by the recursion on its
inverse, 1/B(k) = 1 + (k/a)·1/B(k−1) (Jagerman 1974), which needs no factorials and stays
finite for ten thousand servers; Erlang C follows from B as C = 1 / ((1 − ρ)/B + ρ).
"""

from __future__ import annotations

import numpy as np


def erlang_b(servers, offered_load):
    """Blocking probability of M/M/c/c with `offered_load` a = λ/μ erlangs."""
    if np.ndim(servers) == 0 and np.ndim(offered_load) == 0:
        inverse = 1.0
        for k in range(1, int(servers) + 1):
            inverse = 1.0 + (k / offered_load) * inverse
            if inverse > 1e300:  # B is below 1e-300: zero for every purpose
                return 0.0
        return 1.0 / inverse
    servers, load = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(offered_load, dtype=float))
    inverse = np.ones(servers.shape)
    with np.errstate(over="ignore"):
        for k in range(1, int(np.max(servers)) + 1):
            active = k <= servers
            inverse = np.where(active, 1.0 + (k / load) * inverse, inverse)
    return 1.0 / inverse


def erlang_c(servers, offered_load):
    """Probability an arrival waits in M/M/c (needs ρ = a/c < 1)."""
    rho = offered_load / servers
    blocking = erlang_b(servers, offered_load)
    if np.ndim(blocking) == 0:
        return 0.0 if blocking == 0 else 1.0 / ((1.0 - rho) / blocking + rho)
    with np.errstate(divide="ignore"):
        return 1.0 / ((1.0 - rho) / blocking + rho)


def mmc_wait_quantile(probability_wait, drain_rate, p):
    """p-quantile of the M/M/c wait: P(W > t) = C·exp(−(cμ − λ)t), so t = ln(C/(1−p)) / (cμ − λ)."""
    with np.errstate(divide="ignore"):
        t = np.log(np.maximum(probability_wait, 1e-300) / (1.0 - p)) / drain_rate
    return np.maximum(t, 0.0)


def mmc_response_survival(t, probability_wait, drain_rate, service_rate):
    """P(T > t) for the M/M/c response time T = W + S (W: atom at 0 plus Exp(cμ − λ); S: Exp(μ))."""
    theta, mu = drain_rate, service_rate
    same = np.isclose(theta, mu)
    safe = np.where(same, theta * 1.5 + 1.0, theta)
    mixed = (safe * np.exp(-mu * t) - mu * np.exp(-safe * t)) / (safe - mu)
    tied = (1.0 + mu * t) * np.exp(-mu * t)
    both = np.where(same, tied, mixed)
    return (1.0 - probability_wait) * np.exp(-mu * t) + probability_wait * both


def mmc_response_quantile(probability_wait, drain_rate, service_rate, p, iterations: int = 100):
    """p-quantile of the M/M/c response time, by bisection on its survival function.

    The bracket's upper end adds the wait and service quantiles at (1 + p)/2, which bounds the
    quantile of the sum of two independent non-negative variables.
    """
    half = (1.0 + p) / 2.0
    high = mmc_wait_quantile(probability_wait, drain_rate, half) - np.log(1.0 - half) / service_rate
    low = np.zeros_like(np.asarray(high, dtype=float))
    high = np.asarray(high, dtype=float) + 0.0
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        above = mmc_response_survival(mid, probability_wait, drain_rate, service_rate) > 1.0 - p
        low, high = np.where(above, mid, low), np.where(above, high, mid)
    result = 0.5 * (low + high)
    return float(result) if np.ndim(result) == 0 else result


def pollaczek_khinchine_wait(utilization, mean_service, cv):
    """Mean wait in M/G/1: ρ·(1 + cv²)/(2(1 − ρ)) · E[S] (cv = 0: M/D/1; cv = 1: M/M/1)."""
    return utilization * (1.0 + cv**2) / (2.0 * (1.0 - utilization)) * mean_service


def mgc_wait(servers, utilization, mean_service, cv):
    """Mean wait in M/G/c by the Lee–Longton approximation: Wq(M/M/c) · (1 + cv²)/2.

    Exact for c = 1 (Pollaczek–Khinchine) and for exponential service (cv = 1); see Gross &
    Harris, Fundamentals of Queueing Theory, §6.4.
    """
    load = utilization * servers
    c = erlang_c(servers, load)
    wait_mmc = c * mean_service / (servers * (1.0 - utilization))
    return wait_mmc * (1.0 + cv**2) / 2.0


__all__ = ["erlang_b", "erlang_c", "mmc_wait_quantile", "mmc_response_quantile", "mmc_response_survival",
           "pollaczek_khinchine_wait", "mgc_wait"]
