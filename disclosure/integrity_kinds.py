"""The documents and interpretations of the integrity log: address, public set, content and files (docs/integrity.md).
Registered by DisclosureConfig.ready."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from integrity.canonical import day, local_stamp
from integrity.models import Entry
from integrity.records import RecordKind, file_rows, register_kind, site_path

RecordType = Entry.RecordType


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

    return file_rows(Attachment.objects.filter(document_id=document.pk).order_by("sort_order", "pk"))


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

    return file_rows(
        InterpretationMedia.objects.filter(interpretation_id=interpretation.pk).order_by("sort_order", "pk")
    )


def register() -> None:
    register_kind(
        RecordKind(
            RecordType.DOCUMENT, _document_model, _document_path, _public_documents, _document_content, _document_files
        )
    )
    register_kind(
        RecordKind(
            RecordType.INTERPRETATION,
            _interpretation_model,
            _interpretation_path,
            _public_interpretations,
            _interpretation_content,
            _interpretation_files,
        )
    )
