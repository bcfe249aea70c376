"""The exceptions mlsysim raises: one base class and a few kinds a caller can act on.

Every message is one readable line that names the parameter, the offending value and what
was expected, so the command line can print it as it is (exit code 2 or 3) with no traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MlsysimError(Exception):
    """Base class of every error mlsysim raises on purpose."""

    exit_code = 1


class InvalidInputError(MlsysimError, ValueError):
    """An input is malformed, of the wrong dimension, or outside its valid range."""

    exit_code = 2

    def __init__(self, message: str, *, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class UnknownNameError(InvalidInputError, KeyError):
    """A registry look-up (hardware, model, wall, …) found nothing; suggests the closest names."""

    def __init__(self, kind: str, name: object, known: Iterable[str], *, parameter: str | None = None):
        known = sorted(set(known))
        self.kind, self.name, self.suggestions = kind, name, suggest(str(name), known)
        listing = f"known: {', '.join(known[:12])}{', …' if len(known) > 12 else ''}"
        if self.suggestions:
            guess = f"did you mean {', '.join(repr(s) for s in self.suggestions)}?"
            hint = f"{guess} ({listing})" if len(known) <= 12 else guess
        else:
            hint = listing
        prefix = f"{parameter}: " if parameter and parameter != kind else ""
        super().__init__(f"{prefix}unknown {kind} {name!r}; {hint}", parameter=parameter)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class InfeasibleError(MlsysimError):
    """The inputs are well formed but describe something that cannot work.

    Examples: a queue whose arrival rate meets or exceeds its service capacity, a model that
    does not fit in memory, a target that no value of the varied input can reach.
    """

    exit_code = 3

    def __init__(self, message: str, *, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


def suggest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The closest known names to `name`, best first (case-insensitive)."""
    known = list(known)
    lowered = {k.lower(): k for k in known}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    contained = [k for k in known if name.lower() and name.lower() in k.lower()]
    ordered = [lowered[h] for h in hits] + contained
    return list(dict.fromkeys(ordered))[:n]
