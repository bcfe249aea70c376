"""Energy and carbon through Wall 18 (sustainability) and the grid and hardware registries.

Groups: `arithmetic` (Patterson et al.'s energy and CO2 from their own configs), `model-card`
(Meta's GPU-hours × power × PUE × the factor Meta's LLaMA paper states; the cards state none), `grid-intensity` and `pue`
(registry values against published ones, often of other years), `device-power` (measured
average power against the registry TDP the walls assume when no power is given).
"""

from __future__ import annotations

import re

from mlsysim.validation.categories._common import config_number, in_unit, lookup, same_source
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "carbon_energy"
# Hardware the model cards name for their totals (Llama 2: A100-80GB; Llama 3: H100-80GB).
_CARD_HARDWARE = {"llama 2": "a100-80gb-sxm", "llama 3": "h100-sxm"}
# The model cards publish no grid intensity or PUE; Meta's LLaMA paper states both (Touvron et al.
# 2023, section 6: a 0.385 kgCO2e/kWh US national average and PUE 1.1), and the registry holds them.
_CARD_REGION = "us-average-llama"
# Wall 18's PUE when a region has none: the Uptime Institute 2021 survey (walls/sustainability.py).
_SURVEY = ("uptime institute", "2021")
_DEMONYMS = {"french": "france"}


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    if re.search(r"\bnet\b", quantity) and "cfe" in quantity:
        raise NotExpressible("a market-based net intensity after 24/7 carbon-free-energy matching; the grid "
                             "registry holds location-based yearly averages only")
    if "pretraining emissions" in quantity:
        return _model_card(record)
    if "training energy" in quantity or "training emissions" in quantity:
        return _patterson(record)
    if "power" in quantity and ("per processor" in quantity or "chip power" in quantity):
        return _device_power(record)
    if "pue" in quantity:
        return _pue(record)
    if "grid" in quantity:
        return _grid_intensity(record)
    if "footprint" in quantity:
        raise NotExpressible("the record gives only the fleet (992 A100s); the development footprint needs its "
                             "GPU-hours or energy and the grid intensity, which the record does not give")
    raise NotExpressible(f"no energy or carbon law in mlsysim matches {record.quantity!r}")


def _model_card(record) -> Prediction:
    import mlsysim as ms

    hours = config_number(record, "gpu_hours", required=False) or config_number(record, "total_gpu_hours")
    power = config_number(record, "power_per_gpu_W", required=False)
    calls, where = [], "the record's power per GPU"
    if power is None:  # the totals rows name only the model family
        family = next((k for k in _CARD_HARDWARE if k in str(record.config.get("models", "")).lower()), None)
        if family is None:
            raise NotExpressible("the record gives neither the power per GPU nor the hardware")
        hardware = lookup("hardware", _CARD_HARDWARE[family])
        power, where = hardware.tdp, f"the {hardware.name} TDP from the hardware registry"
    region = lookup("grid", _CARD_REGION)
    result = ms.wall("sustainability")(energy=hours * 3600.0 * power, region=region)
    calls.append(Call.of(result, outputs=["energy", "facility_energy", "intensity", "operational_carbon"]))
    value = in_unit(result.outputs["carbon"], record.unit, "carbon")
    return Prediction(value, record.unit, f"{hours:,.0f} GPU-hours × {power:g} W ({where}) × PUE {region.pue:g} = "
                      f"{result.fmt('facility_energy')}, at {result.fmt('intensity')} ({region.name}; the "
                      f"cards publish no factor, Touvron et al. 2023 state this one and the PUE): {value:,.1f} t.",
                      tuple(calls), group="carbon_energy/model-card")


def _patterson(record) -> Prediction:
    import mlsysim as ms

    chips, days = config_number(record, "num_chips"), config_number(record, "training_days")
    power, pue = config_number(record, "measured_avg_system_power_per_chip_W"), config_number(record, "PUE")
    intensity = config_number(record, "grid_kgCO2e_per_kWh_net") / 3.6e6  # kg per J
    result = ms.wall("sustainability")(power=power, duration=days * 86400.0, devices=int(chips), pue=pue,
                                       intensity=intensity)
    emissions = "emissions" in record.quantity.lower()
    value = (in_unit(result.outputs["carbon"], record.unit, "carbon") if emissions
             else in_unit(result.outputs["facility_energy"], record.unit, "energy"))
    what = f"{value:,.4g} tCO2e at the net {result.fmt('intensity')}" if emissions else f"{value:,.4g} MWh"
    return Prediction(value, record.unit, f"{chips:,.0f} chips × {days:g} days × {power:g} W measured × PUE "
                      f"{pue:g} = {result.fmt('facility_energy')}: {what}.",
                      (Call.of(result, outputs=["energy", "facility_energy", "carbon"]),),
                      group="carbon_energy/arithmetic")


def _device_power(record) -> Prediction:
    name = record.config.get("processor") or record.config.get("hardware") or ""
    hardware = lookup("hardware", str(name))
    if hardware.tdp is None:
        raise NotExpressible(f"{hardware.name} has no TDP in the hardware registry")
    value = in_unit(hardware.tdp, record.unit, "power")
    same = " (the registry's figure comes from the same document)" if same_source(record, hardware.sources.get("tdp")) else ""
    call = Call(f"ms.hardware({hardware.key!r}).tdp", {}, {"tdp": f"{hardware.tdp:g} W"},
                f"Wall 17 (capital) takes a device's power to be its TDP when none is given{same}.")
    circular = ("the registry's TDP is this record's own figure" if _transcribed(record, hardware.sources.get("tdp"),
                                                                               value) else None)
    return Prediction(value, record.unit, f"mlsysim assumes {hardware.name} draws its TDP, {hardware.tdp:g} W; "
                      "measured training averages sit below TDP, or above it where host, memory and fans are "
                      "counted per chip.", (call,), group="carbon_energy/device-power", circular=circular)


def _pue(record) -> Prediction:
    from mlsysim.walls import sustainability

    grid = _find_grid(_region_text(record))
    pue, where = (grid.pue, f"{grid.name}'s PUE") if grid is not None and grid.pue is not None else (
        sustainability.SURVEY_PUE, "Wall 18's default for a region without one (Uptime Institute 2021 survey)")
    call = Call("Wall 18 sustainability: PUE used", {"region": grid.name if grid else "none named"},
                {"pue": f"{pue:g}"}, f"PUE {pue:g}: {where}.")
    circular = None
    if grid is not None and grid.pue is not None and _transcribed(record, grid.sources.get("pue"), pue):
        circular = f"{grid.name}'s PUE in the grid registry is sourced from this record's own document"
    elif grid is None or grid.pue is None:
        if all(word in record.source.lower() for word in _SURVEY):
            circular = "Wall 18's default PUE is this record's survey figure (Uptime Institute 2021, via CNBC)"
    return Prediction(pue, record.unit, f"mlsysim would use PUE {pue:g} here: {where}. It has no operator-"
                      "specific PUEs (hyperscalers run near 1.1).", (call,), group="carbon_energy/pue",
                      circular=circular)


def _grid_intensity(record) -> Prediction:
    text = _region_text(record)
    grid = _find_grid(text)
    if grid is None:
        raise NotExpressible(f"no grid region in the registry matches {text!r}")
    value = in_unit(grid.intensity, record.unit, "carbon_intensity")
    source = grid.sources.get("intensity")
    circular = (f"{grid.name}'s intensity in the grid registry is this record's own figure ({source.title})"
                if _transcribed(record, source, value) else None)
    call = Call(f"ms.grid({grid.key!r}).intensity", {}, {"intensity": f"{grid.intensity * 3.6e9:.4g} gCO2e/kWh"},
                f"{grid.name}, {grid.year or 'undated'}: {source.title if source else 'no source'}.")
    return Prediction(value, record.unit, f"The registry gives {grid.name} {grid.intensity * 3.6e9:.4g} gCO2e/kWh "
                      f"({grid.year or 'undated'}); the record's figure is of its own year and method.", (call,),
                      group="carbon_energy/grid-intensity", circular=circular)


def _transcribed(record, source, value) -> bool:
    """Same document and the same number: the registry copied this record's fact."""
    low, high = record.bounds
    return same_source(record, source) and abs(value - low) <= 0.01 * abs(low)


def _region_text(record) -> str:
    return str(record.config.get("region") or record.quantity)


def _find_grid(text: str):
    """The grid whose key, name or alias appears in `text` (longest match wins)."""
    from mlsysim.specs import registry

    best, length = None, 0
    lowered = text.lower()
    for word, key in _DEMONYMS.items():
        if re.search(rf"\b{word}\b", lowered):
            return registry("grid")(key)
    for grid in registry("grid").all():
        for name in (grid.key, grid.name.split(" (")[0], *grid.aliases):
            short = len(name) <= 3  # "US", "UK": only as capitals, never "in", "on", "is"
            haystack, needle = (text, name.upper()) if short else (lowered, name.lower())
            if len(needle) > length and re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", haystack):
                best, length = grid, len(needle)
    return best
