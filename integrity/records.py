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
from django.urls import get_script_prefix, reverse

from integrity.canonical import canonical_json, day, local_stamp, sha256_hex
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

    def files(self, record: Any) -> list[dict[str, Any]]:
        """What the log keeps of the record's files: size and SHA-256, in page order. Not the names: the log is
        kept forever and shown whatever becomes of the record, and a name can say more than the record may once
        it is withdrawn (a list of persons, say). Pages show the names from the live record while it is public."""
        return [{"size": f["size"], "sha256": f["sha256"]} for f in self.named_files(record)]


def _file_rows(rows: QuerySet) -> list[dict[str, Any]]:
    return [
        {"name": name, "size": size, "sha256": sha} for name, size, sha in rows.values_list("name", "size", "sha256")
    ]


# --- Documents -------------------------------------------------------------------------------------------------------


def _document_model() -> type[Model]:
    from disclosure.models import Document

    return Document


def _document_path(document: Any) -> str:
    code, number = document.index_no.rsplit("/", 1)
    return site_path(reverse("disclosure:document", args=[code, number]))


def _public_documents() -> QuerySet:
    from disclosure.selectors import public_documents

    return public_documents()


def _document_content(document: Any) -> dict[str, Any]:
    from disclosure.models import Document, Repost

    row = Document.objects.select_related("organisation", "topic").get(pk=document.pk)
    repost = Repost.objects.filter(document_id=row.pk).first()
    return {
        "type": RecordType.DOCUMENT.value,
        "path": _document_path(row),
        "index_no": row.index_no,
        "title": row.title,
        "document_number": row.document_number,
        "organisation": row.organisation.code,
        "topic": row.topic.code if row.topic_id else None,
        "issuer": row.issuer,
        "written_on": day(row.written_on),
        "published_at": local_stamp(row.published_at),
        "validity": row.validity,
        "repealed_on": day(row.repealed_on),
        "keywords": row.keywords,
        "summary": row.summary,
        "body": row.body,
        "repost": None
        if repost is None
        else {
            "source_organisation": repost.source_organisation,
            "level": repost.level,
            "source_published_at": local_stamp(repost.source_published_at),
            "source_url": repost.source_url,
            "title": repost.title,
        },
    }


def _document_files(document: Any) -> list[dict[str, Any]]:
    from disclosure.models import Attachment

    return _file_rows(Attachment.objects.filter(document_id=document.pk).order_by("sort_order", "pk"))


# --- Interpretations -------------------------------------------------------------------------------------------------


def _interpretation_model() -> type[Model]:
    from disclosure.models import Interpretation

    return Interpretation


def _interpretation_path(interpretation: Any) -> str:
    return site_path(reverse("disclosure:interpretation", args=[interpretation.pk]))


def _public_interpretations() -> QuerySet:
    from disclosure.selectors import public_interpretations

    return public_interpretations()


def _interpretation_content(interpretation: Any) -> dict[str, Any]:
    from disclosure.models import Interpretation

    row = Interpretation.objects.select_related("organisation", "policy").get(pk=interpretation.pk)
    return {
        "type": RecordType.INTERPRETATION.value,
        "path": _interpretation_path(row),
        "title": row.title,
        "form": row.form,
        "organisation": row.organisation.code,
        "speaker": row.speaker,
        "published_at": local_stamp(row.published_at),
        "policy": _document_path(row.policy),
        "summary": row.summary,
        "body": row.body,
        "link": row.link,
        "questions": [
            {"question": q, "answer": a}
            for q, a in row.questions.order_by("sort_order", "pk").values_list("question", "answer")
        ],
        "media_text": list(row.media.order_by("sort_order", "pk").values_list("alt_text", flat=True)),
    }


def _interpretation_files(interpretation: Any) -> list[dict[str, Any]]:
    from disclosure.models import InterpretationMedia

    return _file_rows(
        InterpretationMedia.objects.filter(interpretation_id=interpretation.pk).order_by("sort_order", "pk")
    )


# --- Emergency updates -------------------------------------------------------------------------------------------------


def _update_model() -> type[Model]:
    from emergencies.models import EmergencyUpdate

    return EmergencyUpdate


def _update_path(update: Any) -> str:
    return site_path(reverse("emergencies:detail", args=[update.emergency_id])) + f"#update-{update.pk}"


def _public_updates() -> QuerySet:
    from emergencies.selectors import public_emergencies, published_updates

    # public_emergencies() counts updates per event; its ids are all this needs.
    return published_updates().filter(emergency__in=public_emergencies().values("pk"))


def _update_content(update: Any) -> dict[str, Any]:
    from emergencies.models import EmergencyUpdate

    row = EmergencyUpdate.objects.select_related("emergency__organisation").get(pk=update.pk)
    return {
        "type": RecordType.EMERGENCY_UPDATE.value,
        "path": _update_path(row),
        "organisation": row.emergency.organisation.code,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "held_at": local_stamp(row.held_at),
        "published_at": local_stamp(row.published_at),
    }


# --- Annual reports ----------------------------------------------------------------------------------------------------


def _report_model() -> type[Model]:
    from audits.models import AnnualReport

    return AnnualReport


def _report_path(report: Any) -> str:
    return site_path(reverse("audits:report", args=[report.pk]))


def _public_reports() -> QuerySet:
    from audits.selectors import published_reports

    return published_reports()


def _report_content(report: Any) -> dict[str, Any]:
    from audits.models import AnnualReport

    row = AnnualReport.objects.select_related("organisation").get(pk=report.pk)
    return {
        "type": RecordType.ANNUAL_REPORT.value,
        "path": _report_path(row),
        "organisation": row.organisation.code,
        "year": row.year,
        "published_at": local_stamp(row.published_at),
        "overview": row.overview,
        "problems": row.problems,
        "other_matters": row.other_matters,
        "admin_fees_wan": None if row.admin_fees_wan is None else str(row.admin_fees_wan),
        "data": row.data,
    }


KINDS: dict[str, RecordKind] = {
    kind.type: kind
    for kind in (
        RecordKind(
            RecordType.DOCUMENT, _document_model, _document_path, _public_documents, _document_content, _document_files
        ),
        RecordKind(
            RecordType.INTERPRETATION,
            _interpretation_model,
            _interpretation_path,
            _public_interpretations,
            _interpretation_content,
            _interpretation_files,
        ),
        RecordKind(
            RecordType.EMERGENCY_UPDATE,
            _update_model,
            _update_path,
            _public_updates,
            _update_content,
            lambda update: [],
        ),
        RecordKind(
            RecordType.ANNUAL_REPORT, _report_model, _report_path, _public_reports, _report_content, lambda report: []
        ),
    )
}


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
        if type_ == RecordType.ANNUAL_REPORT:
            for report in kind.public().filter(pk__in=ids):
                titles[(type_, report.pk)] = str(report.title)
        else:
            for pk, title in kind.public().filter(pk__in=ids).values_list("pk", "title"):
                titles[(type_, pk)] = title
    return titles
