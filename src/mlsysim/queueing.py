"""Queueing formulas shared by the tail-latency (7) and multi-tenant (16) walls.

All functions broadcast over numpy arrays. Erlang B is computed by the recursion on its
inverse, 1/B(k) = 1 + (k/a)·1/B(k−1) (Jagerman 1974), which needs no factorials and stays
finite for ten thousand servers; Erlang C follows from B as C = 1 / ((1 − ρ)/B + ρ).
"""

from __future__ import annotations

import math

import numpy as np

from mlsysim.arrays import scalar


def erlang_b(servers, offered_load):
    """Blocking probability of M/M/c/c with `offered_load` a = λ/μ erlangs."""
    if scalar(servers, offered_load):
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
    if scalar(blocking):
        return 0.0 if blocking == 0 else 1.0 / ((1.0 - rho) / blocking + rho)
    with np.errstate(divide="ignore"):
        return 1.0 / ((1.0 - rho) / blocking + rho)


def mmc_wait_quantile(probability_wait, drain_rate, p):
    """p-quantile of the M/M/c wait: P(W > t) = C·exp(−(cμ − λ)t), so t = ln(C/(1−p)) / (cμ − λ)."""
    if scalar(probability_wait, drain_rate, p):
        if probability_wait <= 1.0 - p:
            return 0.0
        return math.log(probability_wait / (1.0 - p)) / drain_rate
    with np.errstate(divide="ignore"):
        t = np.log(np.maximum(probability_wait, 1e-300) / (1.0 - p)) / drain_rate
    return np.maximum(t, 0.0)


def _distinct(theta, mu):
    """θ nudged off μ by 1e-7 where they coincide, so one closed form serves both cases."""
    return np.where(np.abs(theta - mu) < 1e-7 * mu, theta * (1 + 1e-7), theta)


def mmc_response_survival(t, probability_wait, drain_rate, service_rate):
    """P(T > t) for the M/M/c response time T = W + S (W: atom at 0 plus Exp(θ = cμ − λ); S: Exp(μ))."""
    theta, mu = _distinct(drain_rate, service_rate), service_rate
    both = (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu)
    return (1.0 - probability_wait) * np.exp(-mu * t) + probability_wait * both


def _survival_and_density(t, c, theta, mu, exp=math.exp):
    e_mu, e_theta = exp(-mu * t), exp(-theta * t)
    survival = (1.0 - c) * e_mu + c * (theta * e_mu - mu * e_theta) / (theta - mu)
    density = (1.0 - c) * mu * e_mu + c * theta * mu * (e_mu - e_theta) / (theta - mu)
    return survival, density


def mmc_response_quantile(probability_wait, drain_rate, service_rate, p, iterations: int = 12):
    """p-quantile of the M/M/c response time, by Newton's method on the log-survival function.

    The response time is a mixture of an exponential and a hypoexponential, whose survival
    functions are log-concave; Newton on ln S(t) − ln(1 − p) started to the right of the root
    (at the sum of the wait and service quantiles at (1 + p)/2, an upper bound for the quantile
    of a sum of independent non-negative variables) then descends monotonically and converges
    quadratically, usually in four or five steps.
    """
    half = (1.0 + p) / 2.0
    one_point = scalar(probability_wait, drain_rate, service_rate)
    t = mmc_wait_quantile(probability_wait, drain_rate, half) - math.log(1.0 - half) / service_rate
    goal = math.log(1.0 - p)
    if one_point:
        near = abs(drain_rate - service_rate) < 1e-7 * service_rate
        theta = drain_rate * (1 + 1e-7) if near else drain_rate
    else:
        theta = _distinct(drain_rate, service_rate)
    for _ in range(iterations):
        if one_point:
            survival, density = _survival_and_density(t, probability_wait, theta, service_rate)
            step = (math.log(survival) - goal) * survival / max(density, 1e-300)
            t = max(t + step, 0.0)
            if abs(step) <= 1e-12 * t:
                break
        else:
            survival, density = _survival_and_density(t, probability_wait, theta, service_rate, np.exp)
            step = (np.log(survival) - goal) * survival / np.maximum(density, 1e-300)
            t = np.maximum(t + step, 0.0)
            if np.all(np.abs(step) <= 1e-12 * t):
                break
    return float(t) if one_point else t


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
