"""MkDocs hooks: regenerate the generated pages before each build and list them in the nav.

The wall pages, the command-line reference, the registries page, the scenario-file reference
and the scenario command pages come from the declarations (`mlsysim docs build docs`); running
it here keeps the published site from ever going stale.
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


def command_nav() -> list:
    from mlsysim.cli.docs_command import COMMAND_EXAMPLES
    from mlsysim.cli.main import COMMANDS

    return ["commands/index.md"] + [{f"mlsysim {name}": f"commands/{name}.md"} for name in COMMAND_EXAMPLES
                                    if name in COMMANDS]


def on_config(config, **kwargs):
    """Expand the nav's `Walls` entry into one entry per wall; add the scenario-file and command pages."""
    nav = config.get("nav") or []
    for item in nav:
        if isinstance(item, dict) and "Walls" in item:
            item["Walls"] = wall_nav()
    titles = [next(iter(item)) if isinstance(item, dict) else item for item in nav]
    after = titles.index("Command line") + 1 if "Command line" in titles else len(nav)
    for offset, (title, entry) in enumerate([("Scenario files", "scenario-files.md"),
                                             ("Scenario commands", command_nav())]):
        if title not in titles:
            nav.insert(after + offset, {title: entry})
    return config


def on_pre_build(config, **kwargs):
    from mlsysim.cli.docs_command import build_site

    build_site(config["docs_dir"])
