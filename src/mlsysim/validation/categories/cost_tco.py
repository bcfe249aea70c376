"""Costs: system prices against the hardware registry Wall 17 (capital) buys from, rental
arithmetic, and cloud list prices (which mlsysim does not model: they are set by the market).
"""

from __future__ import annotations

import re

from mlsysim.validation.categories._common import lookup
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "cost_tco"
# System named in a record's quantity -> (hardware registry name, accelerators per system).
_SYSTEMS = (("gaudi 3", "gaudi3"), ("dgx a100", "a100-40gb-sxm"))
_RENTAL = re.compile(r"([\d.]+)\s*days on\s*(\d+)\s*([\w-]+)\s*at\s*\$([\d.]+)/GPU-hour", re.I)


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    rental = _RENTAL.search(record.quantity)
    if rental:
        return _rental(record, *rental.groups())
    if "on-demand" in quantity or "capacity block" in quantity:
        return _cloud_rate(record)
    if "list price" in quantity or "kit price" in quantity:
        return _system_price(record)
    raise NotExpressible(f"no cost law in mlsysim matches {record.quantity!r}")


def _rental(record, days, devices, hardware, price) -> Prediction:
    days, devices, price = float(days), int(devices), float(price)
    hours = days * 24.0
    cost = devices * hours * price
    call = Call("Wall 17 capital: renting cost", {"devices": f"{devices}", "duration": f"{days:g} days",
                                                   "cloud_price": f"${price:g}/h per device"},
                {"cloud_cost": f"${cost:,.0f}"},
                "Renting costs devices × hours × price per device-hour (Wall 17's cloud_cost at full use).")
    return Prediction(cost, record.unit, f"{devices} {hardware} × {hours:g} h × ${price:g}/GPU-hour = "
                      f"${cost:,.0f} (the record's config is empty; the figures are its quantity's).", (call,))


def _system_price(record) -> Prediction:
    text = record.quantity.lower()
    name = next((key for needle, key in _SYSTEMS if needle in text), None)
    count = re.search(r"(\d+)\s*(?:-accelerator|x\s)", record.quantity + " " + record.unit)
    if name is None or count is None:
        raise NotExpressible("no accelerator and count in the hardware registry match this system")
    hardware, count = lookup("hardware", name), int(count[1])
    if hardware.price is None:
        raise NotExpressible(f"{hardware.name} has no price in the hardware registry")
    value = count * hardware.price
    circular = None
    if "divided by" in hardware.notes and abs(value - record.bounds[0]) <= 0.01 * record.bounds[0]:
        circular = (f"the registry's {hardware.name} price is this system's price divided by {count} "
                    f"({hardware.sources['price'].title}), so the product returns the published figure")
    call = Call(f"ms.hardware({hardware.key!r}).price", {}, {"price": f"${hardware.price:,.0f}"},
                "Wall 17 (capital) buys each accelerator at this price; hosts and network are added separately.")
    return Prediction(value, record.unit, f"{count} × ${hardware.price:,.0f} ({hardware.name}, hardware "
                      f"registry) = ${value:,.0f}.", (call,), circular=circular)


def _cloud_rate(record) -> Prediction:
    import mlsysim as ms

    default = ms.wall("complexity").inputs["price_per_device_hour"].default
    rate = ms.units.parse(default, "money_rate") * 3600.0
    if "gpu-hour" in record.unit.lower() and abs(rate - record.bounds[0]) <= 0.005 * record.bounds[0]:
        call = Call("ms.wall('complexity').inputs['price_per_device_hour'].default", {}, {"default": str(default)},
                    "Wall 11 prices accelerator time at this rate unless told otherwise.")
        return Prediction(rate, record.unit, f"mlsysim's default rental price is ${rate:.2f} per device-hour.",
                          (call,), circular="Wall 11's default price_per_device_hour is this record's own figure "
                                            "(the H100 on-demand snapshot it cites), so agreement is not validation")
    raise NotExpressible("a cloud list price is set by the provider's market (margin, commitment, region, date); "
                         "mlsysim has no price model. Wall 17 takes a rental price as an input and gives the "
                         "owner's cost per device-hour, a floor for a rate, not a prediction of one")
