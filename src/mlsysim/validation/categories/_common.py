"""Helpers shared by expressers: config numbers, unit conversion, registry look-ups, circularity."""

from __future__ import annotations

import re

from mlsysim.errors import MlsysimError
from mlsysim.validation.prediction import NotExpressible

_QUANTITY = re.compile(r"(?P<number>[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>[A-Za-z/]*)")
_ARXIV = re.compile(r"\b(\d{4}\.\d{4,5})\b")
_GITHUB_URL = re.compile(r"github\.com/[\w.-]+/([\w.-]+)/(?:issues|pull)/(\d+)", re.I)
_GITHUB_TEXT = re.compile(r"\b([\w-]+)\s+(?:issue|pr|pull request)\s*#?\s*(\d+)", re.I)


def config_number(record, key: str, dimension: str | None = None, *, required: bool = True):
    """A number from the record's config: a plain number, or the first quantity in a string
    ("8 GB (needs > 512 MB to saturate)", "same as Gopher (5.76e23)"), parsed to SI if `dimension`."""
    value = record.config.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _QUANTITY.search(value)
        if match:
            text = match["number"].replace(",", "")
            if dimension is None:
                return float(text)
            from mlsysim.units import parse

            try:
                return float(parse(f"{text} {match['unit']}".strip(), dimension))
            except MlsysimError:
                pass
    if required:
        raise NotExpressible(f"the record's config gives no usable {key!r} ({value!r})")
    return None


def in_unit(si_value: float, unit: str, dimension: str) -> float:
    """An SI value expressed in the record's unit (its first word: 'GB/s busbw' is GB/s)."""
    from mlsysim.units import parse

    return float(si_value) / float(parse(f"1 {unit.split()[0]}", dimension))


def lookup(kind: str, name: str):
    """A registry spec, or NotExpressible naming what the registry lacks."""
    from mlsysim.specs import registry

    try:
        return registry(kind)(name)
    except MlsysimError as error:
        raise NotExpressible(f"the {kind} registry has no {name!r} ({error})") from None


def _fingerprints(text: str) -> set[str]:
    found = {f"arxiv:{m}" for m in _ARXIV.findall(text)}
    found |= {f"github:{repo.lower()}#{n}" for repo, n in _GITHUB_URL.findall(text)}
    found |= {f"github:{repo.lower()}#{n}" for repo, n in _GITHUB_TEXT.findall(text)}
    for url in re.findall(r"https?://\S+", text):
        url = re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/.,;)")
        found.add("url:" + re.sub(r"/blob/[^/]+/", "/", url))
    return found


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def same_source(record, source) -> bool:
    """Whether a spec field's source is the document this record was taken from: a shared URL,
    arXiv id or GitHub issue, or one title containing the other."""
    if source is None:
        return False
    if _fingerprints(record.documents) & _fingerprints(f"{source.title} {source.url} {source.location}"):
        return True
    title, cited = _letters(source.title), _letters(record.source)
    shorter, longer = sorted((title, cited), key=len)
    return len(shorter) >= 15 and shorter in longer


def circularity(record, spec, field: str) -> str | None:
    """A reason when `spec.field` was sourced from the record's own document, else None."""
    source = spec.sources.get(field)
    if same_source(record, source):
        return (f"{spec.name}'s {field.replace('_', ' ')} is sourced from this record's own document "
                f"({source.title}), so agreement is not validation")
    return None
