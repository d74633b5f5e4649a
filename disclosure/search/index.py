"""Writes to the search index. Only public documents are indexed; anything else is removed from it (R39)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from disclosure.models import Document, Interpretation, SearchEntry
from disclosure.search import backends
from disclosure.search.segment import index_tokens, whole_term

logger = logging.getLogger(__name__)


def _fields(document: Document) -> backends.Fields:
    numbers = [t for t in (whole_term(document.document_number), whole_term(document.index_no)) if t]
    numbers += index_tokens(document.document_number) + index_tokens(document.index_no)
    metadata = index_tokens(" ".join(filter(None, [document.organisation.name, document.issuer])))
    # A policy is also found by the words of its published interpretations (R17: they are one reading unit).
    interpreted = document.interpretations.filter(status=Interpretation.Status.PUBLISHED).values_list("title", "body_text")
    extra = " ".join(f"{title} {text}" for title, text in interpreted) if document.is_policy else ""
    return backends.Fields(
        title=index_tokens(document.title), numbers=numbers, metadata=metadata,
        body=index_tokens(f"{document.body_text} {extra}"),
    )


@transaction.atomic
def search_index_document(*, document_id: int) -> bool:
    """Index the document if it is public, remove it otherwise. Returns whether it is now in the index."""
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("organisation").filter(pk=document_id).first()
    )
    if document is None or not document.is_public or not document.organisation.is_active:
        SearchEntry.objects.filter(document_id=document_id).delete()
        backends.remove(document_id)
        return False
    fields = _fields(document)
    SearchEntry.objects.update_or_create(
        document=document, defaults={"tokens": " ".join(fields.all_tokens()), "indexed_at": timezone.now()}
    )
    backends.store(document.pk, fields)
    return True


def search_rebuild() -> tuple[int, int]:
    """Index every public document again and drop every other row. Returns (indexed, removed)."""
    indexed = removed = 0
    public_ids = set(
        Document.objects.filter(status=Document.Status.PUBLISHED, attribute=Document.Attribute.PROACTIVE)
        .values_list("pk", flat=True)
    )
    stale = set(SearchEntry.objects.values_list("document_id", flat=True)) - public_ids
    with transaction.atomic():
        SearchEntry.objects.filter(document_id__in=stale).delete()
        backends.clear()
    removed = len(stale)
    for document_id in sorted(public_ids):
        indexed += search_index_document(document_id=document_id)
    logger.info("search index rebuilt: %s indexed, %s removed", indexed, removed)
    return indexed, removed
