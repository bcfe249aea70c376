"""`mlsysim validate`: predictions against published measurements, with targets and coverage."""

from __future__ import annotations

import click


@click.command("validate")
@click.option("--category", help="Only the records of one category (e.g. collectives, carbon_energy).")
@click.option("--json", "as_json", is_flag=True, help="Print rows and summary as strict JSON.")
@click.option("--explain", "explain_id", metavar="ID", help="Show the calls, inputs, outputs and explanation of one record.")
@click.option("--write-docs", "docs_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the markdown report (e.g. docs/validation.md) instead of printing the table.")
@click.option("--check", is_flag=True, help="Exit 3 if a category misses its target or coverage is too low.")
@click.option("--held-back", "held_back", is_flag=True,
              help="Check the held-back records (never used to choose a constant) instead of published.json.")
def validate_command(category, as_json, explain_id, docs_path, check, held_back):
    """Check predictions against published measurements (published.json).

    \b
    Example:
      mlsysim validate
      mlsysim validate --held-back
      mlsysim validate --category collectives --json
      mlsysim validate --explain coll-nccl-a100-8gpu-measured
      mlsysim validate --write-docs docs/validation.md
    """
    from mlsysim.cli.render import emit_json
    from mlsysim.validation import harness, records, render, summarize

    if explain_id:
        row = harness.explain(explain_id)
        if as_json:
            emit_json({**row.to_dict(), "config": records.get(explain_id).config})
        else:
            click.echo(render.explain(row, records.get(explain_id)))
        return 0
    chosen = records.load_held_back() if held_back else None
    if held_back and category and category not in records.categories(chosen):
        raise click.BadParameter(f"the held-back set has no {category!r} records; it has "
                                 f"{', '.join(records.categories(chosen))}", param_hint="--category")
    rows = harness.run(category=category, records=chosen)
    summary = summarize(rows)
    if docs_path:
        from mlsysim import __version__
        from mlsysim.validation.markdown import markdown

        held = None if held_back else harness.run(records=records.load_held_back())
        with open(docs_path, "w", encoding="utf-8") as handle:
            handle.write(markdown(rows, summary, __version__, held_back=held))
        click.echo(f"wrote {docs_path}: {len(rows)} records, coverage {summary.coverage:.0%}", err=True)
    elif as_json:
        emit_json(render.to_json(rows, summary))
    else:
        if held_back:
            click.echo("Held-back records: never used to choose a constant, checked the same way\n")
        click.echo(render.terminal(rows, summary))
    misses = summary.misses()
    if check and misses:
        click.echo("mlsysim: targets missed: " + "; ".join(misses), err=True)
        return 3
    return 0
