"""Writes to the search index. Only public documents are indexed; anything else is removed from it (R39).

One document is indexed after each change that may concern search (publication, withdrawal, an interpretation), by
the outbox job; ``search_rebuild`` indexes them all again in parallel processes (after a dictionary change or a
restore).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable

from django.db import connection, connections, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from disclosure.models import Document, Interpretation, SearchEntry
from disclosure.search import backends
from disclosure.search.segment import index_tokens, warm_up, whole_term
from disclosure.selectors import public_documents

logger = logging.getLogger(__name__)

REBUILD_BATCH = 250


def _fields(document: Document, interpreted: Iterable[tuple[str, str]]) -> backends.Fields:
    numbers = [t for t in (whole_term(document.document_number), whole_term(document.index_no)) if t]
    numbers += index_tokens(document.document_number) + index_tokens(document.index_no)
    metadata = index_tokens(
        " ".join(
            filter(
                None,
                [
                    document.organisation.name,
                    document.issuer,
                    document.keywords,
                    document.summary,
                ],
            )
        )
    )
    # A policy is also found by the words of its published interpretations (R17: they are one reading unit).
    extra = " ".join(f"{title} {text}" for title, text in interpreted) if document.is_policy else ""
    return backends.Fields(
        title=index_tokens(document.title),
        numbers=numbers,
        metadata=metadata,
        body=index_tokens(f"{document.body_text} {extra}"),
    )


def _interpretation_text(interpretation: Interpretation) -> str:
    """An interpretation's text as the policy's search entry holds it: the body, then its questions and answers."""
    questions = " ".join(f"{q.question} {q.answer}" for q in interpretation.questions.all())
    return f"{interpretation.body_text} {questions}" if questions else interpretation.body_text


def _entry(document: Document, sections: Iterable[str]) -> SearchEntry:
    bits = 0
    for section in sections:
        bits |= backends.SECTION_BITS.get(section, 0)
    return SearchEntry(
        document=document,
        organisation_id=document.organisation_id,
        topic_id=document.topic_id,
        published_at=document.published_at,
        validity=document.validity,
        sections=bits,
        indexed_at=timezone.now(),
    )


def _is_indexable(document: Document) -> bool:
    return document.is_public and document.organisation.is_active


def search_index_document(*, document_id: int) -> bool:
    """Index the document if it is public, remove it otherwise. Returns whether it is now in the index."""
    return _index_batch([document_id]) == 1


def search_entry_sync(*, document: Document) -> None:
    """Carry a published document's 有效性 to its search entry (the words are unchanged): in the caller's
    transaction, so that the validity filter never disagrees with the page."""
    SearchEntry.objects.filter(document=document).update(validity=document.validity)


def search_sections_refresh(*, node_id: int) -> int:
    """Recompute the 公开类别 bits of the entries of the documents in a catalogue item whose section changed."""
    linked = Document.catalogue_nodes.through.objects.filter(cataloguenode_id=node_id).values("document_id")
    with transaction.atomic():
        entries = SearchEntry.objects.filter(document_id__in=linked)
        changed = entries.update(sections=0)
        for section, bit in backends.SECTION_BITS.items():
            entries.filter(document__catalogue_nodes__section=section).update(sections=F("sections").bitor(bit))
    return changed


def _save_entries(entries: list[SearchEntry]) -> None:
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["organisation", "topic", "published_at", "validity", "sections", "indexed_at"],
    )


def _index_batch(ids: list[int]) -> int:
    """Index a batch of documents in one transaction, each locked against a concurrent withdrawal; drop the entries
    of those that are not public (or no longer exist). Returns how many are now in the index."""
    published = (
        Interpretation.objects.filter(status=Interpretation.Status.PUBLISHED)
        .only("policy_id", "title", "body_text")
        .prefetch_related("questions")
    )
    with transaction.atomic():
        documents = list(
            Document.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .prefetch_related(Prefetch("interpretations", queryset=published, to_attr="published_interpretations"))
            .filter(pk__in=ids)
            .order_by("pk")
        )
        sections: dict[int, list[str]] = {}
        links = Document.catalogue_nodes.through.objects.filter(document_id__in=ids)
        for document_id, section in links.values_list("document_id", "cataloguenode__section"):
            sections.setdefault(document_id, []).append(section)
        public = [d for d in documents if _is_indexable(d)]
        found = {d.pk for d in documents}
        stale = [d.pk for d in documents if not _is_indexable(d)] + [pk for pk in ids if pk not in found]
        if stale:
            SearchEntry.objects.filter(document_id__in=stale).delete()
            for document_id in stale:
                backends.remove(document_id)
        indexed = [
            (d, _fields(d, [(i.title, _interpretation_text(i)) for i in d.published_interpretations])) for d in public
        ]
        _save_entries([_entry(d, sections.get(d.pk, [])) for d, _f in indexed])
        backends.store_many([(d.pk, fields) for d, fields in indexed])
    return len(public)


def _index_batch_in_child(ids: list[int]) -> int:
    try:
        return _index_batch(ids)
    finally:
        connections.close_all()


def _public_ids() -> QuerySet[Document]:
    return public_documents().values_list("pk", flat=True).order_by("pk")


def search_rebuild(
    *, jobs: int | None = None, progress: Callable[[int, int], None] | None = None, batch: int = REBUILD_BATCH
) -> tuple[int, int]:
    """Index every public document again and drop every other row. Returns (indexed, removed).

    The documents are tokenised in ``jobs`` processes (default: one per core), each indexing batches in their own
    transactions. Inside a caller's transaction (whose rows other processes cannot see) it runs in this process.
    """
    with transaction.atomic():
        removed = SearchEntry.objects.exclude(document_id__in=public_documents().values("pk")).delete()[0]
        backends.prune()
    ids = list(_public_ids())
    batches = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    jobs = jobs or os.cpu_count() or 1
    parallel = jobs > 1 and len(batches) > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    done = indexed = 0
    started = time.monotonic()
    if progress:
        progress(0, len(ids))
    if parallel:
        warm_up()  # loaded once before the fork, shared by the children
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for size, count in zip((len(b) for b in batches), pool.imap(_index_batch_in_child, batches), strict=True):
                done, indexed = done + size, indexed + count
                if progress:
                    progress(done, len(ids))
    else:
        for ids_batch in batches:
            indexed += _index_batch(ids_batch)
            done += len(ids_batch)
            if progress:
                progress(done, len(ids))
    seconds = time.monotonic() - started
    logger.info(
        "search index rebuilt: %s indexed, %s removed, %.0f documents/s in %s process(es)",
        indexed,
        removed,
        len(ids) / seconds if seconds else 0,
        jobs if parallel else 1,
    )
    return indexed, removed
