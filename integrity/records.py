"""What the integrity log knows of each kind of public record: its address, whether it is public now (through the
public selectors, the one definition of "public"), its public content and its files.

The content of a record is exactly what its public page shows of it, as a JSON object (docs/integrity.md lists the
keys); its hash is SHA-256 of the canonical JSON (``integrity.canonical``). Pages around the record (navigation,
catalogue items, the box of interpretations beside a policy, the link to a 现行文件) are not its content. Other
records it names (its organisation, its topic) are named by their codes, which never change: a renamed organisation
does not change the content of every record it published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import get_script_prefix

from integrity.canonical import canonical_json, sha256_hex
from integrity.models import Entry

RecordType = Entry.RecordType


def site_path(url: str) -> str:
    """A reversed URL without the mount prefix (GOVOPEN_URL_PREFIX): the log names records the same wherever the
    site is mounted."""
    prefix = get_script_prefix()
    return "/" + url[len(prefix) :] if url.startswith(prefix) else url


def page_url(path: str) -> str:
    """The link to a logged path on this site, wherever it is mounted."""
    return get_script_prefix() + path.lstrip("/")


@dataclass(frozen=True)
class RecordKind:
    type: str
    model: Callable[[], type[Model]]
    path: Callable[[Any], str]
    public: Callable[[], QuerySet]  # the public records of this kind, from the public selectors
    content: Callable[[Any], dict[str, Any]]
    named_files: Callable[[Any], list[dict[str, Any]]]  # {"name", "size", "sha256"}, in page order
    title: Callable[[Any], str] | None = None  # when the title is not the record's "title" column

    def files(self, record: Any) -> list[dict[str, Any]]:
        """What the log keeps of the record's files: size and SHA-256, in page order. Not the names: the log is
        kept forever and shown whatever becomes of the record, and a name can say more than the record may once
        it is withdrawn (a list of persons, say). Pages show the names from the live record while it is public."""
        return [{"size": f["size"], "sha256": f["sha256"]} for f in self.named_files(record)]


def file_rows(rows: QuerySet) -> list[dict[str, Any]]:
    return [
        {"name": name, "size": size, "sha256": sha} for name, size, sha in rows.values_list("name", "size", "sha256")
    ]


# The kinds register themselves from the apps that own the records (their AppConfig.ready), in INSTALLED_APPS
# order: the log sits below them and never imports them (docs/architecture.md, layers).
KINDS: dict[str, RecordKind] = {}


def register_kind(kind: RecordKind) -> None:
    KINDS[str(kind.type)] = kind


def kind_of(record: Any) -> RecordKind:
    for kind in KINDS.values():
        if isinstance(record, kind.model()):
            return kind
    raise TypeError(f"{type(record).__name__} is not a record of the integrity log")


def content_bytes(kind: RecordKind, record: Any) -> bytes:
    return canonical_json(kind.content(record))


def content_hash(kind: RecordKind, record: Any) -> str:
    return sha256_hex(content_bytes(kind, record))


def public_titles(entries: list[Entry]) -> dict[tuple[str, int], str]:
    """The current titles of the records of ``entries`` that are public now, by (type, record id): one query per
    kind present. A record no longer public has none here, so a page of the log never names it."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.record_type, set()).add(entry.record_id)
    titles: dict[tuple[str, int], str] = {}
    for type_, ids in wanted.items():
        kind = KINDS[type_]
        if kind.title is not None:  # a title that is not a column (an annual report's is made from its year)
            for record in kind.public().filter(pk__in=ids):
                titles[(type_, record.pk)] = kind.title(record)
        else:
            for pk, title in kind.public().filter(pk__in=ids).values_list("pk", "title"):
                titles[(type_, pk)] = title
    return titles
