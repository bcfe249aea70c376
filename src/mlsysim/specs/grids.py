"""Electricity grids: average carbon intensity, industrial price, typical datacenter PUE and WUE.

A grid record is a place where a datacenter draws power: a country, a province or a US grid
subregion. `intensity` is the average carbon intensity of the electricity generated there
(gCO2e/kWh, a yearly average: real-time intensity swings by 2–5× over a day). Figures come from
different accountings — Ember's are lifecycle (construction, fuel supply and methane leaks
included), EPA eGRID's are combustion CO2 only — and each record's `notes` says which, because
the two differ by 5–15 % for fossil-heavy grids and far more for hydro and nuclear ones.
`electricity_price` is the industrial (not household) price, `pue` the typical datacenter power
usage effectiveness there and `wue` the on-site water used per kWh of IT energy; all three are
None where no figure is published for that place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

_QUANTITIES = {"intensity": "carbon_intensity", "electricity_price": "energy_price",
               "pue": "number", "wue": "water_intensity"}
_FIELDS = ("name", "country", "region", "year", "aliases", "notes", "source", "sources", *_QUANTITIES)


@dataclass(frozen=True)
class Grid:
    """One grid region. Quantities are SI floats (kgCO2e/J, USD/J, L/J); None where unpublished."""

    key: str
    name: str
    country: str
    intensity: float
    region: str = ""
    electricity_price: float | None = None
    pue: float | None = None
    wue: float | None = None
    year: int | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        parts = [self.name, f"{q(self.intensity, 'carbon_intensity')}" + (f" ({self.year})" if self.year else "")]
        if self.electricity_price is not None:
            parts.append(f"{q(self.electricity_price, 'energy_price')} industrial")
        if self.pue is not None:
            parts.append(f"PUE {self.pue:g}")
        if self.wue is not None:
            parts.append(f"WUE {q(self.wue, 'water_intensity')}")
        return ", ".join(parts)


def from_record(key: str, record: Mapping[str, Any]) -> Grid:
    fields.check_keys(key, record, _FIELDS)
    values = {name: fields.quantity(key, record, name, dim) for name, dim in _QUANTITIES.items()}
    if values["intensity"] is None:
        fields.quantity(key, record, "intensity", "carbon_intensity", required=True)
    if values["pue"] is not None and values["pue"] < 1:
        from mlsysim.errors import InvalidInputError

        raise InvalidInputError(f"{key}.pue: {values['pue']} is below 1; PUE is facility energy over IT energy",
                                parameter="pue")
    numeric = [name for name, value in values.items() if value is not None]
    return Grid(
        key=key,
        name=fields.text(key, record, "name", default=key),
        country=fields.text(key, record, "country"),
        region=fields.text(key, record, "region"),
        intensity=values["intensity"],
        electricity_price=values["electricity_price"],
        pue=values["pue"],
        wue=values["wue"],
        year=fields.integer(key, record, "year"),
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=read_sources(key, record, numeric),
    )
