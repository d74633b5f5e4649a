"""The public pages of the integrity log 发布存证: the list with the head, one entry, the export, and a record's
current canonical content. All of it is public by construction (``integrity.models``); titles of records are shown
only while the record is public, read through the public selectors.

These pages set their own short Cache-Control: the anonymous page cache keys non-organisation pages by the global
publication version, which an organisation's publication does not move, and the head must not lag behind."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from core.params import bounded_int
from integrity import selectors
from integrity.canonical import GENESIS_HASH
from integrity.models import Entry
from integrity.records import KINDS, content_bytes, content_hash, page_url, public_titles
from integrity.verify import export_line


def _short_cache(response: HttpResponse, seconds: int = 60) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=seconds)
    return response


@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    before = bounded_int(request.GET.get("before"), minimum=1, maximum=selectors.SEQ_MAX)
    head = selectors.head()
    entries = selectors.entries_before(before)
    newer = None
    if entries and head is not None and entries[0].seq < head.seq:
        newer = min(head.seq + 1, entries[0].seq + selectors.PAGE_SIZE + 1)
    older = entries[-1].seq if entries and entries[-1].seq > 1 else None
    titles = public_titles(entries)
    for item in entries:
        item.current_title = titles.get((item.record_type, item.record_id))
        item.url = page_url(item.path)
    return _short_cache(
        render(
            request,
            "integrity/list.html",
            {
                "head": head,
                "entries": entries,
                "newer": newer,
                "older": older,
                "genesis": GENESIS_HASH,
            },
        )
    )


def _entry_or_404(seq: int) -> Entry:
    found = selectors.entry(seq)
    if found is None:
        raise Http404
    return found


@require_safe
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    found = _entry_or_404(seq)
    title = public_titles([found]).get((found.record_type, found.record_id))
    kind = KINDS[found.record_type]
    current_sha = None
    names: dict[str, str] = {}
    if title is not None:  # public now: its current content, and the names of its files as the page shows them
        record = kind.model().objects.get(pk=found.record_id)
        current_sha = content_hash(kind, record)
        names = {f["sha256"]: f["name"] for f in kind.named_files(record)}
    files = [{**f, "name": names.get(f["sha256"], "")} for f in found.files]
    head = selectors.head()
    return _short_cache(
        render(
            request,
            "integrity/entry.html",
            {
                "entry": found,
                "title": title,
                "url": page_url(found.path),
                "history": selectors.record_history(found),
                "current_sha": current_sha,
                "files": files,
                "fields_json": export_line(found.public_fields(), found.hash),
                "genesis": GENESIS_HASH,
                "next_seq": found.seq + 1 if head is not None and found.seq < head.seq else None,
            },
        )
    )


@require_safe
def entry_content(request: HttpRequest, seq: int) -> HttpResponse:
    """The canonical content of the entry's record as it is now (its SHA-256 is the entry's content hash while the
    record has not changed since); 404 once the record is not public."""
    found = _entry_or_404(seq)
    kind = KINDS[found.record_type]
    if not kind.public().filter(pk=found.record_id).exists():
        raise Http404
    body = content_bytes(kind, kind.model().objects.get(pk=found.record_id))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _short_cache(response)


def _export_lines() -> Iterator[bytes]:
    for item in selectors.entries_in_order():
        yield (export_line(item.public_fields(), item.hash) + "\n").encode("utf-8")


@require_safe
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The whole chain as JSON Lines, oldest first, streamed in keyset batches."""
    response = StreamingHttpResponse(_export_lines(), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="integrity-export.jsonl"'
    patch_cache_control(response, public=True, max_age=60)
    return response
