"""Parsing human quantities into SI floats and formatting them back."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.units import DIMENSIONS, format_quantity, parse


@pytest.mark.parametrize("text, dimension, expected", [
    ("16 GB", "bytes", 16e9),
    ("80 GiB", "bytes", 80 * 2**30),
    ("1 KiB", "bytes", 1024),
    ("1.5kB", "bytes", 1500),
    ("1 KB", "bytes", 1000),
    ("8 Gb", "bytes", 1e9),
    ("3.35 TB/s", "bandwidth", 3.35e12),
    ("400Gb/s", "bandwidth", 50e9),
    ("400 Gbps", "bandwidth", 50e9),
    ("2 GBps", "bandwidth", 2e9),
    ("989 TFLOPS", "flop_rate", 989e12),
    ("1.98 PFLOP/s", "flop_rate", 1.98e15),
    ("624 TOPS", "flop_rate", 624e12),
    ("989 TFLOPs", "flop_rate", 989e12),
    ("16 GMAC", "flops", 32e9),
    ("9.7e23 FLOP", "flops", 9.7e23),
    ("3 TFLOPs", "flops", 3e12),
    ("8B", "count", 8e9),
    ("15T", "count", 15e12),
    ("1.5k", "count", 1500),
    ("15T tokens", "count", 15e12),
    ("1,024", "count", 1024),
    ("42", "number", 42),
    ("4.8 ms", "time", 4.8e-3),
    ("250 ns", "time", 250e-9),
    ("3 days", "time", 3 * 86400),
    ("2 h", "time", 7200),
    ("1 yr", "time", 365 * 86400),
    ("30 min", "time", 1800),
    ("10/s", "rate", 10),
    ("600/min", "rate", 10),
    ("700 W", "power", 700),
    ("1.2 kW", "power", 1200),
    ("1 kWh", "energy", 3.6e6),
    ("1287 MWh", "energy", 1287 * 3.6e9),
    ("500 kJ", "energy", 5e5),
    ("$2.5M", "money", 2.5e6),
    ("2.5M USD", "money", 2.5e6),
    ("$30k", "money", 30e3),
    ("$2.50/h", "money_rate", 2.5 / 3600),
    ("$0.08/kWh", "energy_price", 0.08 / 3.6e6),
    ("552 tCO2e", "carbon", 552e3),
    ("20 gCO2e/kWh", "carbon_intensity", 20e-3 / 3.6e6),
    ("45.5%", "fraction", 0.455),
    ("0.5", "fraction", 0.5),
    ("1.8 L/kWh", "water_intensity", 1.8 / 3.6e6),
])
def test_parse_known_quantities(text, dimension, expected):
    assert parse(text, dimension) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, dimension, phrase", [
    ("3 TB", "bandwidth", "an amount of data"),
    ("989 TFLOPS", "flops", "a compute rate"),
    ("16 GB", "count", "an amount of data"),
    ("5 W", "energy", "a power"),
    ("$5", "bytes", "money"),
])
def test_wrong_dimension_names_both(text, dimension, phrase):
    with pytest.raises(ms.InvalidInputError) as info:
        parse(text, dimension, name="x")
    message = str(info.value)
    assert message.startswith("x:") and phrase in message and DIMENSIONS[dimension].phrase in message


@pytest.mark.parametrize("text", ["", "GB", "fast", "1.2.3 GB", "16 parsecs"])
def test_garbage_is_an_error(text):
    with pytest.raises(ms.InvalidInputError):
        parse(text, "bytes", name="weight_bytes")


def test_numbers_are_si_already_and_lists_become_arrays():
    assert parse(3, "bytes") == 3.0
    out = parse(["1 GB", 2e9], "bytes")
    assert isinstance(out, np.ndarray) and out.tolist() == [1e9, 2e9]
    with pytest.raises(ms.InvalidInputError):
        parse(True, "bytes", name="b")


@pytest.mark.parametrize("value, dimension, text", [
    (4.776119e-3, "time", "4.776 ms"),
    (3.35e12, "bandwidth", "3.35 TB/s"),
    (989.4e12, "flop_rate", "989.4 TFLOP/s"),
    (8.03e9, "count", "8.03B"),
    (2.5e6, "money", "$2.5M"),
    (0.455, "fraction", "45.5%"),
    (552e3, "carbon", "552 tCO2e"),
    (1287 * 3.6e9, "energy", "1.287 GWh"),
    (50 * 3600, "time", "50 h"),
])
def test_format_picks_readable_prefixes(value, dimension, text):
    assert format_quantity(value, dimension) == text


magnitudes = st.floats(min_value=1e-9, max_value=1e24, allow_nan=False, allow_infinity=False)


@given(x=magnitudes, dimension=st.sampled_from(sorted(DIMENSIONS)))
def test_parse_format_round_trip(x, dimension):
    text = format_quantity(x, dimension, digits=6)
    assert parse(text, dimension) == pytest.approx(x, rel=1e-5)


def test_format_non_finite_is_visible():
    assert format_quantity(math.inf, "time") == "inf"
