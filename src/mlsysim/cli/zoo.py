"""`mlsysim zoo KIND`: list a registry (hardware, models, storage, cpus, networks, grids)."""

from __future__ import annotations

import dataclasses

import click

from mlsysim.cli.render import emit_json, table

# CLI plural -> registry kind
KINDS = {"hardware": "hardware", "models": "model", "storage": "storage", "cpus": "cpu",
         "networks": "network", "grids": "grid"}


def spec_to_dict(spec) -> dict:
    """Every field of a spec (SI numbers), sources as strings, plus derived counts for models."""
    from mlsysim.walls.result import to_json

    data = {}
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if f.name == "sources":
            value = {k: str(v) for k, v in value.items()}
        data[f.name] = to_json(value)
    for derived in ("params", "active_params"):
        if hasattr(spec, derived):
            data[derived] = float(getattr(spec, derived))
    return data


@click.command("zoo")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("search", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print every field of every entry as JSON (SI units).")
def zoo_command(kind: str, search: str | None, as_json: bool):
    """List a registry; SEARCH keeps entries whose key or name contains it.

    \b
    Example:
      mlsysim zoo hardware
      mlsysim zoo models llama --json
    """
    from mlsysim.specs import registry

    specs = registry(KINDS[kind]).all()
    if search:
        needle = search.lower()
        names = lambda s: [s.key, s.name, *getattr(s, "aliases", ())]  # noqa: E731
        specs = [s for s in specs if any(needle in n.lower() for n in names(s))]
    if as_json:
        emit_json([spec_to_dict(s) for s in specs])
        return
    click.echo(table(["key", "description"], [[s.key, s.describe()] for s in specs]))
    click.echo(f"\n{len(specs)} {kind}", err=True)
