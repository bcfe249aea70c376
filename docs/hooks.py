"""MkDocs hooks: regenerate the generated pages before each build and list every wall in the nav.

The wall pages, the command-line reference and the registries page come from the declarations
(`mlsysim docs build docs`); running it here keeps the published site from ever going stale.
mkdocs.yml names this file under `hooks:` and excludes it from the site.
"""

from __future__ import annotations


def wall_nav() -> list:
    from mlsysim.walls import all_walls

    entries = ["walls/index.md"]
    for wall in all_walls():
        label = f"{wall.number}. {wall.title}" if wall.number is not None else wall.title
        entries.append({label: f"walls/{wall.slug}.md"})
    return entries


def on_config(config, **kwargs):
    """Expand the nav's `Walls` entry into one entry per wall, in taxonomy order."""
    for item in config.get("nav") or []:
        if isinstance(item, dict) and "Walls" in item:
            item["Walls"] = wall_nav()
    return config


def on_pre_build(config, **kwargs):
    from mlsysim.cli.docs_command import build_site

    build_site(config["docs_dir"])
