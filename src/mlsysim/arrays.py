"""Helpers for code that takes either plain numbers or numpy arrays (every wall and scenario)."""

from __future__ import annotations

import numpy as np


def scalar(*values) -> bool:
    """True when no argument is an array of one or more dimensions.

    Cheaper than `np.ndim(v) == 0`, which costs about a microsecond a call: on a scalar wall
    call (20 µs in all, DESIGN.md's performance budgets) that adds up.
    """
    for value in values:  # a plain loop: any() over a generator costs twice as much here
        if isinstance(value, np.ndarray) and value.ndim:
            return False
    return True
