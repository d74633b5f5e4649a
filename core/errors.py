"""One error family for every refused move: each reason is a ``Problem`` with a stable code (for code and tests), a
complete sentence in Chinese (for people) and, when the input itself is wrong, the form field it belongs to.

Each app's domain error (``DocumentError``, ``RequestError``, ``ReportError``, …) is a ``Problems``: views and the
admin show ``problems`` (the sentences) and put ``fields`` beside their inputs; tests assert ``codes``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Codes every app shares; an app adds its own, named after the rule they enforce (``correction_once``).
FORBIDDEN = "forbidden"  # the actor may not take this step on this record
WRONG_STATE = "wrong_state"  # the record is not in a state that allows the step
INVALID = "invalid"  # the input breaks a rule (the default for a plain sentence)
DUPLICATE = "duplicate"  # the record or request exists already
REASON_MISSING = "reason_missing"  # a step that must be explained was not


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return self.message


def forbidden(message: object) -> Problem:
    return Problem(FORBIDDEN, str(message))


def wrong_state(message: object) -> Problem:
    return Problem(WRONG_STATE, str(message))


class Problems(Exception):
    """Base of the apps' domain errors; ``problems`` lists each reason the move was refused, as sentences."""

    def __init__(self, *problems: Problem | object, fields: dict[str, list[str]] | None = None) -> None:
        explicit = [p if isinstance(p, Problem) else Problem(INVALID, str(p)) for p in problems]
        per_field = [Problem(INVALID, str(m), field=name) for name, ms in (fields or {}).items() for m in ms]
        self.items: list[Problem] = explicit + per_field
        self.fields: dict[str, list[str]] = {name: [str(m) for m in ms] for name, ms in (fields or {}).items()}
        # The sentences shown above a form: the explicit ones, or the fields' when there is nothing else to say.
        self.problems: list[str] = [p.message for p in explicit] or [p.message for p in per_field]
        super().__init__("；".join(self.problems))

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.items]

    @property
    def message(self) -> str:
        return "；".join(self.problems)
