"""Quantities at the edges: parse human strings into SI floats and format SI floats for people.

Inside mlsysim every number is a plain float (or numpy array) in SI units — seconds, bytes,
FLOPs, FLOP/s, watts, joules, US dollars, kilograms of CO2e, litres — because unit objects are
ruinously slow in scalar code (see STYLE.md, "pint / astropy.units"). Strings such as
"3.35 TB/s", "80 GiB", "989 TFLOPS", "15T" or "$2.5M" are parsed once, here, against the
dimension the caller expects, so "3 TB" given for a bandwidth is an error, not a silent
misreading. Decimal prefixes (kB = 1000 B) and binary ones (KiB = 1024 B) are both understood.

Ambiguity is settled by the expected dimension: "8B" is eight billion where a count is
expected and eight bytes where bytes are; "TFLOPS" (capital S) is a rate, "TFLOPs" is
accepted as either, following common usage.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mlsysim.errors import InvalidInputError

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
# A year of continuous operation, as capacity planners count it (8,760 hours).
SECONDS_PER_YEAR = 365.0 * SECONDS_PER_DAY
JOULES_PER_KWH = 3.6e6


@dataclass(frozen=True)
class Dimension:
    """A kind of quantity: its SI unit, a phrase for error messages and an example string."""

    name: str
    si_unit: str
    phrase: str
    example: str


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("number", "1", "a plain number", "0.5"),
        Dimension("count", "1", "a count", "8B or 15T or 1.5k"),
        Dimension("fraction", "1", "a fraction", "0.5 or 50%"),
        Dimension("bytes", "B", "an amount of data", "16 GB or 80 GiB"),
        Dimension("bandwidth", "B/s", "a bandwidth", "3.35 TB/s or 400 Gb/s"),
        Dimension("flops", "FLOP", "an amount of computation", "9.7e23 FLOP or 16 GMAC"),
        Dimension("flop_rate", "FLOP/s", "a compute rate", "989 TFLOPS or 1.98 PFLOP/s"),
        Dimension("intensity", "FLOP/B", "an arithmetic intensity", "295 FLOP/B"),
        Dimension("time", "s", "a time", "4.8 ms or 3 days"),
        Dimension("rate", "1/s", "a rate", "10/s or 600/min"),
        Dimension("power", "W", "a power", "700 W"),
        Dimension("energy", "J", "an energy", "1.3 GWh or 500 kJ"),
        Dimension("money", "USD", "an amount of money", "$2.5M"),
        Dimension("money_rate", "USD/s", "a price per unit of time", "$2.50/h"),
        Dimension("energy_price", "USD/J", "a price of energy", "$0.08/kWh"),
        Dimension("carbon", "kgCO2e", "a mass of CO2-equivalent", "552 tCO2e"),
        Dimension("carbon_intensity", "kgCO2e/J", "a carbon intensity", "20 gCO2e/kWh"),
        Dimension("water", "L", "a volume of water", "700 kL"),
        Dimension("water_intensity", "L/J", "water per unit of energy", "1.8 L/kWh"),
    )
}

_DECIMAL = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21}
_BINARY = {"Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}
_SMALL = {"n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3}
_COUNT_SUFFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "G": 1e9, "T": 1e12}
_TIME = {
    **{u: 1e-9 for u in ("ns", "nsec")},
    **{u: 1e-6 for u in ("us", "µs", "μs", "usec")},
    **{u: 1e-3 for u in ("ms", "msec")},
    **{u: 1.0 for u in ("s", "sec", "secs", "second", "seconds")},
    **{u: 60.0 for u in ("min", "mins", "minute", "minutes")},
    **{u: SECONDS_PER_HOUR for u in ("h", "hr", "hrs", "hour", "hours")},
    **{u: SECONDS_PER_DAY for u in ("d", "day", "days")},
    **{u: 7 * SECONDS_PER_DAY for u in ("wk", "week", "weeks")},
    **{u: SECONDS_PER_YEAR / 12 for u in ("mo", "month", "months")},
    **{u: SECONDS_PER_YEAR for u in ("y", "yr", "yrs", "year", "years")},
}
_TIME_DENOMINATORS = {k: v for k, v in _TIME.items() if k in (
    "ns", "us", "µs", "ms", "s", "sec", "second", "min", "minute", "h", "hr", "hour", "d", "day",
    "wk", "week", "mo", "month", "y", "yr", "year")}
_CO2 = ("", "CO2", "CO2e", "CO2eq", "CO₂", "CO₂e", "CO₂eq")
_MASS_KG = {"g": 1e-3, "kg": 1.0, "t": 1e3, "tonne": 1e3, "tonnes": 1e3, "kt": 1e6, "Mt": 1e9}
_ENERGY_J = {
    **{p + "J": f for p, f in {**_DECIMAL, **_SMALL}.items() if p not in ("K",)},
    **{p + "Wh": f * SECONDS_PER_HOUR for p, f in _DECIMAL.items() if p not in ("K",)},
}
_WATER_L = {"L": 1.0, "l": 1.0, "mL": 1e-3, "kL": 1e3, "ML": 1e6, "m3": 1e3, "m³": 1e3, "gal": 3.785411784}


def _bytes_units() -> dict[str, float]:
    table = {"bytes": 1.0, "byte": 1.0, "bits": 0.125, "bit": 0.125}
    for prefix, factor in {**_DECIMAL, **_BINARY}.items():
        table[prefix + "B"] = factor
        table[prefix + "b"] = factor / 8  # lower-case b is bits: 400 Gb/s = 50 GB/s
        table[prefix + "bit"] = factor / 8
    return table


def _per_time(numerators: dict[str, float]) -> dict[str, float]:
    table = {}
    for unit, factor in numerators.items():
        for t, seconds in _TIME_DENOMINATORS.items():
            table[f"{unit}/{t}"] = factor / seconds
    return table


def _build_tables() -> dict[str, dict[str, float]]:
    data = _bytes_units()
    flops = {}
    for p, f in _DECIMAL.items():
        flops.update({p + "FLOP": f, p + "FLOPs": f, p + "flop": f, p + "flops": f,
                      p + "MAC": 2 * f, p + "MACs": 2 * f})  # a multiply-add is 2 FLOPs
    flop_rate = {}
    for p, f in _DECIMAL.items():
        flop_rate.update({p + "FLOPS": f, p + "FLOP/s": f, p + "FLOPs": f, p + "FLOPs/s": f,
                          p + "flops": f, p + "OPS": f, p + "OP/s": f, p + "OPs": f,
                          p + "MAC/s": 2 * f, p + "MACs/s": 2 * f})
    money = {s: f for s, f in _COUNT_SUFFIX.items()}
    money.update({s + "USD": f for s, f in _COUNT_SUFFIX.items()})
    carbon = {m + c: f for m, f in _MASS_KG.items() for c in _CO2}
    per_energy = {"J": 1.0, "kJ": 1e3, "MJ": 1e6, "kWh": JOULES_PER_KWH, "MWh": 1e3 * JOULES_PER_KWH}
    return {
        "number": dict(_COUNT_SUFFIX),
        "count": dict(_COUNT_SUFFIX),
        "fraction": {"": 1.0, "%": 0.01},
        "bytes": data,
        "bandwidth": {**_per_time(data), **{p + "Bps": f for p, f in _DECIMAL.items()},
                      **{p + "bps": f / 8 for p, f in _DECIMAL.items()}},
        "flops": flops,
        "flop_rate": flop_rate,
        "intensity": {f"{f}/{b}": 1.0 for f in ("FLOP", "FLOPs", "flop", "flops", "OP", "ops")
                      for b in ("B", "byte", "bytes")},
        "time": dict(_TIME),
        "rate": {**_per_time(_COUNT_SUFFIX), "Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9,
                 "qps": 1.0, "rps": 1.0},
        "power": {p + "W": f for p, f in {**_DECIMAL, **_SMALL}.items() if p != "K"},
        "energy": _ENERGY_J,
        "money": money,
        "money_rate": _per_time(money),
        "energy_price": {f"{m}/{e}": mf / ef for m, mf in money.items() for e, ef in per_energy.items()},
        "carbon": carbon,
        "carbon_intensity": {f"{c}/{e}": cf / ef for c, cf in carbon.items() for e, ef in per_energy.items()},
        "water": dict(_WATER_L),
        "water_intensity": {f"{w}/{e}": wf / ef for w, wf in _WATER_L.items() for e, ef in per_energy.items()},
    }


_TABLES = _build_tables()
# Units whose meaning is unambiguous also match case-insensitively ("tflops", "Hours").
_FOLDED = {
    dim: {u.lower(): f for u, f in table.items()}
    for dim, table in _TABLES.items()
    if dim in ("time", "flop_rate", "rate", "energy", "power", "water")
}

_NUMBER = re.compile(
    r"^\s*(?P<sign>[+-]?)\s*(?P<cur>\$?)\s*(?P<num>(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|nan)"
    r"\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)
_RATE_NOUN = re.compile(r"^(?P<suffix>k|K|M|B|G|T)?(?:[A-Za-z]+)/(?P<time>[A-Za-zµμ]+)$")
_TRAILING_NOUN = re.compile(r"^(?P<suffix>[A-Za-z]{0,2})\s+[A-Za-z][A-Za-z ]*$")


def parse(value, dimension: str, *, name: str | None = None):
    """Return `value` as SI float(s) of `dimension`.

    Numbers (and numpy arrays) are taken as already in SI units. Strings carry a number and
    a unit; lists and tuples may mix both and become arrays.
    """
    if type(value) is float or type(value) is int:
        return float(value)
    if isinstance(value, str):
        return _parse_string(value, dimension, name)
    if isinstance(value, (list, tuple)):
        import numpy as np

        return np.array([parse(v, dimension, name=name) for v in value], dtype=float)
    if isinstance(value, bool):
        raise InvalidInputError(f"{_label(name)}: got a boolean {value!r}, expected {_expect(dimension)}",
                                parameter=name)
    try:
        import numpy as np

        if isinstance(value, np.ndarray) and value.dtype.kind in "USO":
            return np.vectorize(lambda v: parse(v, dimension, name=name), otypes=[float])(value)
        return value.astype(float) if isinstance(value, np.ndarray) else float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{_label(name)}: cannot read {value!r} as a number; expected {_expect(dimension)}",
            parameter=name) from None


def _parse_string(text: str, dimension: str, name: str | None) -> float:
    match = _NUMBER.match(text)
    if not match:
        raise InvalidInputError(
            f"{_label(name)}: cannot read {text!r}; expected {_expect(dimension)}", parameter=name)
    number = float(match["num"].replace(",", "").replace("_", ""))
    if match["sign"] == "-":
        number = -number
    unit = match["unit"]
    if match["cur"] and dimension not in ("money", "money_rate", "energy_price"):
        raise InvalidInputError(
            f"{_label(name)}: {text!r} is money, expected {_expect(dimension)}", parameter=name)
    if not unit and not match["cur"]:
        return number  # a bare number is already in SI units, whatever the dimension
    factor = _lookup(unit, dimension)
    if factor is None and match["cur"] and dimension in ("money", "money_rate", "energy_price"):
        factor = _lookup(unit.replace("$", ""), dimension)
    if factor is None and dimension == "rate":  # "3.2M tokens/s", "10 req/s"
        noun = _RATE_NOUN.match(unit.replace(" ", ""))
        if noun and noun["time"] in _TIME_DENOMINATORS and not _dimensions_of(unit):
            factor = _COUNT_SUFFIX[noun["suffix"] or ""] / _TIME_DENOMINATORS[noun["time"]]
    if factor is None and dimension in ("count", "number"):
        noun = _TRAILING_NOUN.match(unit)
        if noun and not _dimensions_of(unit):
            factor = _lookup(noun["suffix"], dimension)
    if factor is None:
        raise InvalidInputError(_mismatch(text, unit, dimension, name), parameter=name)
    return number * factor


def _lookup(unit: str, dimension: str) -> float | None:
    table = _TABLES.get(dimension)
    if table is None:
        raise KeyError(f"unknown dimension {dimension!r}")
    compact = unit.replace(" ", "")
    if compact in table:
        return table[compact]
    folded = _FOLDED.get(dimension)
    if folded is not None:
        return folded.get(compact.lower())
    return None


def _dimensions_of(unit: str) -> list[str]:
    compact = unit.replace(" ", "").replace("$", "")
    return [d for d, t in _TABLES.items() if compact in t or compact.lower() in _FOLDED.get(d, {})]


def _mismatch(text: str, unit: str, dimension: str, name: str | None) -> str:
    others = [d for d in _dimensions_of(unit) if d not in ("number", "count", "fraction")]
    if others:
        return f"{_label(name)}: {text!r} is {DIMENSIONS[others[0]].phrase}, expected {_expect(dimension)}"
    return f"{_label(name)}: unknown unit {unit!r} in {text!r}; expected {_expect(dimension)}"


def _label(name: str | None) -> str:
    return name if name else "value"


def _expect(dimension: str) -> str:
    d = DIMENSIONS[dimension]
    return f"{d.phrase} (e.g. {d.example})"


def si_unit(dimension: str) -> str:
    """The SI unit in which mlsysim holds quantities of `dimension` (e.g. 'B/s')."""
    return DIMENSIONS[dimension].si_unit


# ---------------------------------------------------------------------------------------------
# Formatting: pick a readable prefix, keep `digits` significant digits.

_SCALE_DECIMAL = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")]
_SCALE_COUNT = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, "")]
_SCALE_SMALL = [(1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n")]
_SCALE_TIME = [(SECONDS_PER_YEAR * 2, SECONDS_PER_YEAR, "years"), (SECONDS_PER_DAY * 3, SECONDS_PER_DAY, "days"),
               (SECONDS_PER_HOUR * 2, SECONDS_PER_HOUR, "h"), (120.0, 60.0, "min"), (1.0, 1.0, "s"),
               (1e-3, 1e-3, "ms"), (1e-6, 1e-6, "µs"), (0.0, 1e-9, "ns")]


def _sig(x: float, digits: int) -> str:
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def _scaled(x: float, scales, unit: str, digits: int, sep: str = " ") -> str:
    magnitude = abs(x)
    for factor, prefix in scales:
        if magnitude >= factor * 0.9995:
            return f"{_sig(x / factor, digits)}{sep}{prefix}{unit}"
    factor, prefix = scales[-1]
    return f"{_sig(x / factor, digits)}{sep}{prefix}{unit}"


def format_quantity(value, dimension: str, digits: int = 4) -> str:
    """Format an SI value for people, e.g. format_quantity(4.776e-3, 'time') -> '4.776 ms'."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return str(x)
    return _FORMATTERS.get(dimension, _format_number)(x, digits)


def _format_number(x: float, digits: int) -> str:
    return _sig(x, digits)


def _format_time(x: float, digits: int) -> str:
    for threshold, factor, unit in _SCALE_TIME:
        if abs(x) >= threshold:
            return f"{_sig(x / factor, digits)} {unit}"
    return f"{_sig(x, digits)} s"


def _format_prefixed(unit: str, scales=_SCALE_DECIMAL, small: bool = False, small_scales=_SCALE_SMALL):
    def formatter(x: float, digits: int) -> str:
        if small and 0 < abs(x) < 0.9995:
            return _scaled(x, small_scales, unit, digits)
        if abs(x) >= 1e21:
            return f"{_sig(x, digits)} {unit}"
        return _scaled(x, scales, unit, digits)

    return formatter


def _format_energy(x: float, digits: int) -> str:
    if abs(x) >= JOULES_PER_KWH * 0.9995:
        return _scaled(x / SECONDS_PER_HOUR, [(1e9, "G"), (1e6, "M"), (1e3, "k")], "Wh", digits)
    return _format_prefixed("J", small=True)(x, digits)


def _format_money(x: float, digits: int) -> str:
    sign = "-" if x < 0 else ""
    return sign + "$" + _scaled(abs(x), _SCALE_COUNT, "", digits, sep="")


def _format_carbon(x: float, digits: int) -> str:
    scales = [(1e9, "Mt"), (1e6, "kt"), (1e3, "t"), (1.0, "kg"), (1e-3, "g")]
    for factor, unit in scales:
        if abs(x) >= factor * 0.9995:
            return f"{_sig(x / factor, digits)} {unit}CO2e"
    return f"{_sig(x / 1e-3, digits)} gCO2e"


_FORMATTERS = {
    "number": _format_number,
    "count": lambda x, d: (_sig(x, max(d, 5)) if abs(x) < 1e4 else _scaled(x, _SCALE_COUNT, "", d, sep="")),
    "fraction": lambda x, d: f"{_sig(100 * x, d)}%",
    "bytes": _format_prefixed("B"),
    "bandwidth": _format_prefixed("B/s"),
    "flops": _format_prefixed("FLOP"),
    "flop_rate": _format_prefixed("FLOP/s"),
    "intensity": lambda x, d: f"{_sig(x, d)} FLOP/B",
    "time": _format_time,
    "rate": lambda x, d: (_scaled(x, _SCALE_COUNT, "/s", d, sep="") if abs(x) >= 1e4
                          else f"{_sig(x, d)}/s" if abs(x) >= 1 or x == 0 else f"{_sig(x * SECONDS_PER_HOUR, d)}/h"),
    "power": _format_prefixed("W", small=True),
    "energy": _format_energy,
    "money": _format_money,
    "money_rate": lambda x, d: f"{_format_money(x * SECONDS_PER_HOUR, d)}/h",
    "energy_price": lambda x, d: f"${_sig(x * JOULES_PER_KWH, d)}/kWh",
    "carbon": _format_carbon,
    "carbon_intensity": lambda x, d: f"{_sig(x * 1e3 * JOULES_PER_KWH, d)} gCO2e/kWh",
    "water": _format_prefixed("L", scales=[(1e6, "M"), (1e3, "k"), (1.0, "")], small=True,
                              small_scales=[(1.0, ""), (1e-3, "m")]),
    "water_intensity": lambda x, d: f"{_sig(x * JOULES_PER_KWH, d)} L/kWh",
}
