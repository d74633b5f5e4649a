"""Reads shared by the public site, the admin and the jobs. The one definition of "public" lives here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Exists, Func, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from catalog.models import CatalogueNode, NilNotice, Organisation, Section, Topic
from core.compiledquery import CompiledRead
from disclosure.models import (
    Attachment,
    DirectoryIssue,
    Document,
    DocumentEvent,
    Interpretation,
    InterpretationForm,
    InterpretationMedia,
    InterpretationQuestion,
)
from disclosure.paging import cached_count

INDEX_NUMBER = re.compile(r"^(?P<year>\d{4})-(?P<serial>\d{5})$")


def public_documents(*, now: dt.datetime | None = None) -> QuerySet[Document]:
    """Documents anyone may read: published, 主动公开, publication time reached, organisation active (R5, R9)."""
    return Document.objects.filter(
        status=Document.Status.PUBLISHED,
        attribute=Document.Attribute.PROACTIVE,
        published_at__lte=timezone.now() if now is None else now,
        organisation__is_active=True,
    )


def public_document_list() -> QuerySet[Document]:
    """Public documents with their organisation, newest first (the search reads their text for its snippets)."""
    return public_documents().select_related("organisation").order_by("-published_at", "-pk")


# What a list of documents shows (templates/disclosure/_document_list.html, and ``is_policy`` for the interpretations
# under a policy): not the body or its search text, several kilobytes a row.
DOCUMENT_LIST_FIELDS = (
    "index_no",
    "title",
    "published_at",
    "is_policy",
    "organisation__name",
)


def public_document_rows() -> QuerySet[Document]:
    """``public_document_list`` with only the columns a list shows."""
    return public_document_list().only(*DOCUMENT_LIST_FIELDS)


# What the document page shows (templates/disclosure/document.html), and nothing else: not the search text
# (``body_text``, as long as the body), the workflow fields, or the successor's and the repost's other columns.
DOCUMENT_PAGE_FIELDS = (
    "index_no",
    "title",
    "document_number",
    "issuer",
    "written_on",
    "keywords",
    "summary",
    "body",
    "validity",
    "repealed_on",
    "is_policy",
    "published_at",
    "organisation__code",
    "organisation__name",
    "topic__name",
    "successor__index_no",
    "successor__title",
    "successor__status",
    "successor__attribute",
    "successor__published_at",
    "repost__source_organisation",
    "repost__level",
    "repost__source_published_at",
    "repost__source_url",
    "repost__title",
)


def _public_document_rows(*, now: dt.datetime, index_no: str) -> QuerySet[Document]:
    from integrity.selectors import document_seal_annotations

    return (
        public_documents(now=now)
        .select_related("organisation", "topic", "successor", "repost")
        .only(*DOCUMENT_PAGE_FIELDS)
        .annotate(
            has_files=Exists(Attachment.objects.filter(document=OuterRef("pk"))),
            has_public_interpretations=Exists(_published_interpretations(now=now).filter(policy=OuterRef("pk"))),
            **document_seal_annotations(),  # its latest 发布存证 entry, in this same query
        )
        .filter(index_no=index_no)
        .order_by()  # the 索引号 is unique: no sort (a wide sorted SELECT costs more to build than to run)
    )[:1]


# Compiled once per process (core.compiledquery): building this queryset costs more than running it.
_public_document_read = CompiledRead(Document, _public_document_rows, now=dt.datetime, index_no=str)


def public_document(*, code: str, number: str) -> Document | None:
    """The public document with 索引号 ``{code}/{number}``, or None when it is missing or not public, with the columns
    its page shows and whether it has files and public interpretations: ``document_files`` and
    ``interpretations_of_public_document`` then ask the database only when there is something to show."""
    if not INDEX_NUMBER.match(number):
        return None
    rows = _public_document_read(now=timezone.now(), index_no=f"{code}/{number}")
    return rows[0] if rows else None


def document_files(document: Document) -> list[Attachment]:
    """The files of a document the caller has read as public, in their order, with what a list of them shows."""
    if not getattr(document, "has_files", True):
        return []
    rows = Attachment.objects.filter(document_id=document.pk).order_by("sort_order", "pk")
    return list(rows.only("name", "size", "sha256"))  # the SHA-256 is shown beside each download (发布存证)


def _catalogue_item_rows(*, document_id: int) -> QuerySet[CatalogueNode]:
    return CatalogueNode.objects.filter(documents=document_id, is_active=True).only("name")


_catalogue_items_read = CompiledRead(CatalogueNode, _catalogue_item_rows, document_id=int)


def document_catalogue_items(document: Document) -> list[CatalogueNode]:
    """The active catalogue items of a document the caller has read as public, in catalogue order, by name."""
    return _catalogue_items_read(document_id=document.pk)


def public_attachment(*, code: str, number: str, attachment_id: int) -> Attachment | None:
    if not INDEX_NUMBER.match(number):
        return None
    return (
        Attachment.objects.filter(pk=attachment_id, document__in=public_documents().filter(index_no=f"{code}/{number}"))
        .select_related("document")
        .first()
    )


# --- Catalogue -------------------------------------------------------------------------------------------------------


def public_nodes() -> QuerySet[CatalogueNode]:
    return CatalogueNode.objects.filter(is_active=True, organisation__is_active=True)


def _public_links() -> QuerySet:
    """Rows of the document ↔ catalogue item link whose document is public: the conditions of ``public_documents``
    written on the join, so PostgreSQL hashes them instead of running a subplan per row (quadratic at 1M)."""
    return Document.catalogue_nodes.through.objects.filter(
        document__status=Document.Status.PUBLISHED,
        document__attribute=Document.Attribute.PROACTIVE,
        document__published_at__lte=timezone.now(),
        document__organisation__is_active=True,
    )


def catalogue_counts(organisation: Organisation) -> dict[int, int]:
    """Public documents per catalogue item of ``organisation``, in one grouped query, counted once per publication
    version of the organisation (``disclosure.paging.cached_count``)."""
    return cached_count(
        f"catalogue:{organisation.pk}",
        organisation_code=organisation.code,
        compute=lambda: _count_catalogue(organisation),
    )


def _count_catalogue(organisation: Organisation) -> dict[int, int]:
    rows = (
        _public_links()
        .filter(cataloguenode__organisation=organisation, cataloguenode__is_active=True)
        .values("cataloguenode_id")
        .annotate(n=Count("document_id"))
        .values_list("cataloguenode_id", "n")
    )
    return dict(rows)


def catalogue_tree(organisation: Organisation) -> list[tuple[Section, list[tuple[CatalogueNode, list[CatalogueNode]]]]]:
    """The organisation's catalogue as sections → level-1 items → level-2 items, each with its public count."""
    counts = catalogue_counts(organisation)
    nodes = list(public_nodes().filter(organisation=organisation).order_by("section", "sort_order", "pk"))
    children: dict[int, list[CatalogueNode]] = {}
    for node in nodes:
        node.public_count = counts.get(node.pk, 0)
        if node.parent_id:
            children.setdefault(node.parent_id, []).append(node)
    tree = []
    for section in Section:
        level_one = [n for n in nodes if n.section == section and not n.parent_id]
        tree.append((section, [(node, children.get(node.pk, [])) for node in level_one]))
    return tree


def sub_items(node: CatalogueNode) -> list[CatalogueNode]:
    """The item's level-2 items, inactive ones included (their documents still belong to the item), in order."""
    return list(CatalogueNode.objects.filter(parent_id=node.pk).order_by("sort_order", "pk"))


def without_blank_columns(
    tree: list[tuple[Section, list[tuple[CatalogueNode, list[CatalogueNode]]]]],
) -> list[tuple[Section, list[tuple[CatalogueNode, list[CatalogueNode]]]]]:
    """``catalogue_tree`` as the public navigation shows it: no blank column (空白栏目, which inspections count). An
    item with nothing public is kept only while the office recorded a dated "本期无" for it (set as ``nil_notice``,
    its newest), or while one of its sub-items is kept; a section with no item left is left out. Staff see every
    item in the admin, and the self-audit reports the empty ones."""
    nodes = [node for _section, items in tree for node, children in items for node in (node, *children)]
    notices = latest_nil_notices([node.pk for node in nodes if not node.public_count])
    for node in nodes:
        node.nil_notice = notices.get(node.pk)

    def shown(node: CatalogueNode) -> bool:
        return bool(node.public_count or node.nil_notice)

    kept = []
    for section, items in tree:
        section_items = []
        for node, children in items:
            children = [child for child in children if shown(child)]
            if children or shown(node):
                section_items.append((node, children))
        if section_items:
            kept.append((section, section_items))
    return kept


def statutory_items() -> list[CatalogueNode]:
    """The public catalogue items classed under Art 20's fifteen kinds that have public documents (their own or
    their sub-items') or a "本期无" notice, in class and catalogue order; totals from ``catalogue_counts``."""
    nodes = list(
        public_nodes()
        .filter(statutory_class__isnull=False)
        .select_related("organisation")
        .order_by("statutory_class", "organisation__sort_order", "sort_order", "pk")
    )
    counts: dict[int, int] = {}
    for organisation in {node.organisation_id: node.organisation for node in nodes}.values():
        counts.update(catalogue_counts(organisation))
    children: dict[int, list[int]] = {}
    for parent_id, pk in CatalogueNode.objects.filter(parent__in=[n.pk for n in nodes]).values_list("parent_id", "pk"):
        children.setdefault(parent_id, []).append(pk)
    for node in nodes:
        node.public_count = counts.get(node.pk, 0) + sum(counts.get(pk, 0) for pk in children.get(node.pk, []))
    notices = latest_nil_notices([node.pk for node in nodes if not node.public_count])
    return [node for node in nodes if node.public_count or node.pk in notices]


def latest_nil_notices(node_ids: list[int]) -> dict[int, NilNotice]:
    """The newest "本期无" notice of each of ``node_ids`` that has one, in one query."""
    found: dict[int, NilNotice] = {}
    if node_ids:
        for notice in NilNotice.objects.filter(node_id__in=node_ids).order_by("node_id", "-period_start"):
            found.setdefault(notice.node_id, notice)
    return found


def node_documents(node: CatalogueNode, *, children: list[CatalogueNode] | None = None) -> QuerySet[Document]:
    """Public documents filed under the item or under its level-2 items (``children``, as ``sub_items`` gives
    them), newest first: a semi-join on the link table (no DISTINCT over the document's columns), walked along the
    public-list index.

    The items are named by their ids: the planner then probes the link table's unique (document, item) index once
    per document walked, and knows from its statistics how many documents an item has. Only the item's
    organisation files documents under it (``services._check_nodes``), so the walk checks the organisation kept in
    the public-list index before it probes (a page 100 at 1M: 4,500 probes instead of 25,000)."""
    items = [node.pk, *(child.pk for child in (sub_items(node) if children is None else children))]
    linked = Document.catalogue_nodes.through.objects.filter(cataloguenode_id__in=items)
    return public_document_rows().filter(organisation_id=node.organisation_id, pk__in=linked.values("document_id"))


def node_document_count(node: CatalogueNode, *, children: list[CatalogueNode] | None = None) -> int:
    """How many ``node_documents`` there are, counted once per publication version of the item's organisation."""
    return cached_count(
        f"node:{node.pk}",
        organisation_code=node.organisation.code,
        compute=lambda: node_documents(node, children=children).count(),
    )


def node_nil_notices(node: CatalogueNode) -> QuerySet[NilNotice]:
    return node.nil_notices.order_by("-period_start")


# --- 依申请公开目录 (R10) ------------------------------------------------------------------------------------------------


def on_request_documents() -> QuerySet[Document]:
    """依申请公开 documents that passed review: listed by metadata only, never their body or files (R10)."""
    return Document.objects.filter(
        status=Document.Status.APPROVED,
        attribute=Document.Attribute.ON_REQUEST,
        organisation__is_active=True,
        decided_at__isnull=False,
    )


def on_request_directory(*, start: dt.date, end: dt.date, organisation: Organisation | None = None) -> list[dict]:
    """The directory rows of a period [start, end] (local days): title, 索引号, 文号, 内容概述, organisation and date only,
    read along ``document_decided_idx``."""
    rows = on_request_documents().filter(
        decided_at__gte=_start_of(start), decided_at__lt=_start_of(end + dt.timedelta(days=1))
    )
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    return list(
        rows.order_by("decided_at", "pk").values(
            "title", "index_no", "document_number", "summary", "organisation__name", "written_on", "decided_at"
        )
    )


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the site's time zone (Asia/Shanghai), as an aware moment a range on an index can use."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _JSONArrayLength(Func):
    """The number of elements of a JSON array column, counted by the database instead of loading the array."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


def directory_issues() -> QuerySet[DirectoryIssue]:
    """The published issues of the 依申请公开目录, newest first, each with ``row_count`` but not its rows."""
    return (
        DirectoryIssue.objects.order_by("-period_start")
        .only("pk", "period", "period_start", "period_end")
        .annotate(row_count=_JSONArrayLength("rows"))
    )


# --- Withheld documents due for their yearly re-review (R11) ------------------------------------------------------


def withheld_due_for_review(*, today: dt.date) -> QuerySet[Document]:
    """不予公开 documents whose last decision or re-review is a year old or more (R11, seed 003 四(一); the number of
    days is ``GOVOPEN_WITHHELD_REVIEW_DAYS``); each row carries ``last_reviewed_at``."""
    year_ago = today - dt.timedelta(days=settings.GOVOPEN_WITHHELD_REVIEW_DAYS)
    rows = Document.objects.filter(status=Document.Status.APPROVED, attribute=Document.Attribute.WITHHELD).annotate(
        last_rereview=Max("events__at", filter=Q(events__action=DocumentEvent.Action.REREVIEWED)),
        last_reviewed_at=Greatest(Coalesce("last_rereview", "decided_at"), "decided_at"),
    )
    return rows.filter(last_reviewed_at__date__lte=year_ago).select_related("organisation")


# --- Interpretations (R17) and reposts (R18) ---------------------------------------------------------------------


def _published_interpretations(*, now: dt.datetime | None = None) -> QuerySet[Interpretation]:
    """Published interpretations whose publication time is reached, whatever their policy's state."""
    return Interpretation.objects.filter(
        status=Interpretation.Status.PUBLISHED, published_at__lte=timezone.now() if now is None else now
    )


def public_interpretations() -> QuerySet[Interpretation]:
    """Published interpretations of public policies: one never outlives its policy on the public site."""
    return _published_interpretations().filter(policy__in=public_documents())


def public_interpretation_list(*, form: str = "", organisation: str = "") -> QuerySet[Interpretation]:
    """Newest first, optionally of one form or one organisation (by code): the columns a list shows, walked along
    ``interpretation_public_idx``."""
    rows = (
        public_interpretations()
        .select_related("organisation", "policy")
        .only(
            "pk",
            "title",
            "form",
            "published_at",
            "organisation__name",
            "policy__title",
            "policy__index_no",
        )
        .order_by("-published_at", "-pk")
    )
    if form in InterpretationForm.values:
        rows = rows.filter(form=form)
    if organisation:
        rows = rows.filter(organisation__code=organisation)
    return rows


def public_interpretation_count(*, form: str = "", organisation: str = "") -> int:
    """How many ``public_interpretation_list`` rows there are, counted once per publication version (a count over
    the public policies is a join with a million documents)."""
    key = f"interpretations:{form if form in InterpretationForm.values else ''}:{organisation}"
    return cached_count(
        key,
        organisation_code=None,
        compute=lambda: public_interpretation_list(form=form, organisation=organisation).order_by().count(),
    )


def interpretation_organisations() -> list[Organisation]:
    """Active organisations with at least one public interpretation, for the list's filter: a semi-join that stops
    at each organisation's first public interpretation, kept per publication version."""
    return cached_count("interpretation-organisations", organisation_code=None, compute=_interpretation_organisations)


def _interpretation_organisations() -> list[Organisation]:
    has_public = public_interpretations().filter(organisation=OuterRef("pk"))
    rows = Organisation.objects.filter(Exists(has_public), is_active=True).order_by("sort_order", "name")
    return list(rows.only("pk", "code", "name", "short_name"))


def count_computation(name: str) -> tuple[Callable[[], object], str | None] | None:
    """How to count again a total kept by ``cached_count`` under ``name``, and the organisation whose version keys
    it (``disclosure.tasks.refresh_count``); None for a name that is not ours or whose record is gone."""
    kind, _sep, rest = name.partition(":")
    if kind == "catalogue" and rest.isdigit():
        organisation = Organisation.objects.filter(pk=int(rest)).first()
        return None if organisation is None else ((lambda: _count_catalogue(organisation)), organisation.code)
    if kind == "node" and rest.isdigit():
        node = CatalogueNode.objects.select_related("organisation").filter(pk=int(rest)).first()
        return None if node is None else ((lambda: node_documents(node).count()), node.organisation.code)
    if kind == "interpretations":
        form, _sep, organisation_code = rest.partition(":")
        count = public_interpretation_list(form=form, organisation=organisation_code).order_by().count
        return count, None
    if name == "interpretation-organisations":
        return _interpretation_organisations, None
    return None


def public_interpretation(pk: int) -> Interpretation | None:
    return (
        public_interpretations()
        .select_related("organisation", "policy__organisation")
        .prefetch_related(
            Prefetch("questions", queryset=InterpretationQuestion.objects.order_by("sort_order", "pk")),
            Prefetch("media", queryset=InterpretationMedia.objects.order_by("sort_order", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def public_interpretation_media(*, interpretation_id: int, media_id: int) -> InterpretationMedia | None:
    return InterpretationMedia.objects.filter(
        pk=media_id, interpretation__in=public_interpretations().filter(pk=interpretation_id)
    ).first()


def interpretations_of(documents: list[Document]) -> dict[int, list[Interpretation]]:
    """The public interpretations of each of ``documents``, by document id: one query for a whole list."""
    by_policy: dict[int, list[Interpretation]] = {}
    rows = public_interpretations().filter(policy_id__in=[d.pk for d in documents]).order_by("published_at", "pk")
    for interpretation in rows.only("pk", "title", "form", "policy_id", "published_at"):
        by_policy.setdefault(interpretation.policy_id, []).append(interpretation)
    return by_policy


def interpretations_of_public_document(document: Document) -> list[Interpretation]:
    """The public interpretations of ``document``, which the caller has just read as public (``public_document``):
    the same rows as ``interpretations_of`` without checking the policy's publicity again."""
    if not document.is_policy or not getattr(document, "has_public_interpretations", True):
        return []
    rows = _published_interpretations().filter(policy_id=document.pk).order_by("published_at", "pk")
    return list(rows.only("pk", "title", "form", "policy_id", "published_at"))


def attach_interpretations(documents: list[Document]) -> list[Document]:
    """Set ``public_interpretations`` on each document, for lists that show a policy's interpretations under it."""
    found = interpretations_of([d for d in documents if d.is_policy])
    for document in documents:
        document.public_interpretations = found.get(document.pk, [])
    return documents


def interpretation_search(words: list[str], *, policy_ids: list[int], limit: int = 5) -> list[Interpretation]:
    """Public interpretations of ``policy_ids`` whose title, text or questions hold every query word (R39).

    The search passes the policies among its candidates that have published interpretations: a policy's search entry
    holds its published interpretations' words, so an interpretation holding every word belongs to one of them, and
    the text is only scanned for those few rather than for every interpretation (tens of thousands at a province)."""
    if not words or not policy_ids:
        return []
    rows = public_interpretation_list().filter(policy_id__in=policy_ids)
    for word in words:
        rows = rows.filter(
            Q(title__icontains=word) | Q(body_text__icontains=word) | Q(questions__question__icontains=word)
        )
    return list(rows.distinct()[:limit])


def public_topics() -> QuerySet[Topic]:
    """The topics the feeds and subscriptions offer."""
    return Topic.objects.filter(is_active=True)


def topic_documents(topic: Topic) -> QuerySet[Document]:
    """Public documents of ``topic``, newest first. The planner walks the public-list index for a common topic and
    takes a rare one's rows from the topic's foreign-key index (measured at a million documents: for the
    newest 50 of a topic holding a tenth of them, 5–16 ms; 9 ms for an empty topic)."""
    return public_document_rows().filter(topic_id=topic.pk)
