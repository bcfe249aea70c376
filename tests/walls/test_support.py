"""The scalar fast paths of the wall helpers agree with the numpy functions they stand in for."""

import math

import numpy as np
import pytest

from mlsysim.arrays import scalar
from mlsysim.walls.support import choose, equals, maximum, where


@pytest.mark.parametrize("a, b", [(1.0, 2.0), (2.0, 1.0), (3.0, 3.0), (math.nan, 1.0), (1.0, math.nan),
                                  (-math.inf, 0.0)])
def test_maximum_matches_numpy_on_scalars_nan_included(a, b):
    assert maximum(a, b) == pytest.approx(float(np.maximum(a, b)), nan_ok=True)


def test_maximum_broadcasts_when_either_is_an_array():
    assert maximum(np.array([1.0, 5.0]), 3.0).tolist() == [3.0, 5.0]
    assert maximum(3.0, np.array([1.0, 5.0])).tolist() == [3.0, 5.0]


@pytest.mark.parametrize("condition", [True, False, np.bool_(True), np.bool_(False)])
def test_where_matches_numpy_on_scalars(condition):
    assert where(condition, 1.5, 2.5) == float(np.where(condition, 1.5, 2.5))


def test_where_broadcasts_a_scalar_condition_over_array_branches():
    # A scalar condition with one array branch must still give an array (np.where's broadcast).
    assert where(False, np.array([1.0, 2.0]), 0.0).tolist() == [0.0, 0.0]
    assert where(np.array([True, False]), 1.0, 2.0).tolist() == [1.0, 2.0]


def test_equals_negates_like_an_array():
    # `~` of a Python bool is an integer (~True == -2); equals gives numpy bools, so ~ is logical.
    assert bool(~equals("ring", "nvls")) is True
    assert bool(~equals("nvls", "nvls")) is False
    assert (~equals(np.array(["ring", "nvls"], dtype=object), "nvls")).tolist() == [True, False]


def test_scalar_counts_0d_arrays_as_scalars():
    assert scalar(1.0, np.float64(2.0), np.array(3.0), None, "bf16")
    assert not scalar(1.0, np.array([1.0]))
    assert choose(np.array(True), "yes", "no") == "yes"
