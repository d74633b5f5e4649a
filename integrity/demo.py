"""Demo data of the integrity log: an entry for every public demo record that the services did not log yet."""

from __future__ import annotations

from collections.abc import Callable

from integrity.services import integrity_backfill


def load(*, reset_passwords: bool = False, write: Callable[[str], object] = print) -> None:
    """Register what the earlier loaders made public without a service call (safe to run again: it appends only
    for records with no live entry)."""
    appended = integrity_backfill()
    write(f"发布存证：补登 {appended} 条")
