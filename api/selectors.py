"""The API's reads: nothing of its own, only the public selectors the pages use, narrowed to what a response shows."""

from __future__ import annotations

from django.db.models import QuerySet

from disclosure.models import Document
from disclosure.selectors import public_document_list, public_documents

# What a document in a list shows (``DocumentSummarySerializer``): not the body or its search text.
DOCUMENT_SUMMARY_FIELDS = (
    "index_no",
    "title",
    "document_number",
    "written_on",
    "published_at",
    "validity",
    "is_policy",
    "organisation__code",
    "organisation__name",
)


def document_summaries() -> QuerySet[Document]:
    """Public documents, newest first, with the columns a list shows (``public_document_list``)."""
    return public_document_list().only(*DOCUMENT_SUMMARY_FIELDS)


def public_successor(document: Document) -> Document | None:
    """The successor (现行文件) of a public document, only while it is public itself."""
    if not document.successor_id:
        return None
    return (
        public_documents()
        .select_related("organisation")
        .only(
            "index_no",
            "title",
            "organisation__code",
            "organisation__name",
            "published_at",
        )
        .filter(pk=document.successor_id)
        .first()
    )


def public_reposts() -> QuerySet[Document]:
    """Public documents that repost a superior's policy or interpretation (R18), each with its repost's public
    facts: a repost whose document is not public does not exist for the public."""
    return (
        public_document_list()
        .filter(repost__isnull=False)
        .select_related("repost")
        .only(
            *DOCUMENT_SUMMARY_FIELDS,
            "repost__source_organisation",
            "repost__level",
            "repost__kind",
            "repost__source_url",
            "repost__title",
            "repost__source_published_at",
        )
    )
