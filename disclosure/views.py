"""The public site: home, the 政府信息公开 column (R38), catalogue pages, documents, files, search (R39), and the
依申请公开目录 (R10). Anything not public answers the same 404 as a missing page."""

from __future__ import annotations

import datetime as dt
import io

import segno
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalog.models import FIVE_DISCLOSURES, CatalogueNode, Organisation, Section, StatutoryClass
from catalog.selectors import disclosure_subjects
from disclosure.models import DirectoryIssue, InterpretationForm
from disclosure.paging import cursor_page
from disclosure.search.query import FIELD_LABELS, FILTERS, PARAMS, search_documents
from disclosure.selectors import (
    attach_interpretations,
    catalogue_tree,
    directory_issues,
    document_catalogue_items,
    document_files,
    interpretation_organisations,
    interpretation_search,
    interpretations_of_public_document,
    node_document_count,
    node_documents,
    node_nil_notices,
    on_request_directory,
    public_attachment,
    public_document,
    public_document_rows,
    public_interpretation,
    public_interpretation_count,
    public_interpretation_list,
    public_interpretation_media,
    public_nodes,
    statutory_items,
    sub_items,
    without_blank_columns,
)

PAGE_SIZE = 15
HOME_LATEST = 10
HOME_INTERPRETATIONS = 5


def _organisation_or_404(code: str) -> Organisation:
    organisation = disclosure_subjects().filter(code=code).first()
    if organisation is None:
        raise Http404
    return organisation


def _org_tree(organisations: list[Organisation]) -> list[tuple[Organisation, list[Organisation]]]:
    children: dict[int, list[Organisation]] = {}
    for organisation in organisations:
        if organisation.parent_id is not None:
            children.setdefault(organisation.parent_id, []).append(organisation)
    return [(o, children.get(o.pk, [])) for o in organisations if o.parent_id is None]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    organisations = list(disclosure_subjects())
    latest = list(public_document_rows()[:HOME_LATEST])
    interpretations = list(public_interpretation_list().select_related("policy")[:HOME_INTERPRETATIONS])
    return render(
        request,
        "disclosure/home.html",
        {
            "tree": _org_tree(organisations),
            "latest": latest,
            "interpretations": interpretations,
            "sections": FIVE_DISCLOSURES + [Section.KEY_AREA],
        },
    )


@require_safe
def column(request: HttpRequest) -> HttpResponse:
    """The 政府信息公开 column: guide, rules, statutory content, catalogue, annual reports, applying, directory."""
    organisations = list(disclosure_subjects())
    return render(request, "disclosure/column.html", {"tree": _org_tree(organisations)})


@require_safe
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """政府信息公开指南 (Art 12), built from the organisation's own data."""
    organisation = _organisation_or_404(code)
    sections = [
        (section, [node for node, _children in nodes]) for section, nodes in catalogue_tree(organisation) if nodes
    ]
    return render(request, "disclosure/guide.html", {"organisation": organisation, "sections": sections})


@require_safe
def rules(request: HttpRequest) -> HttpResponse:
    """政府信息公开制度: the Regulation's main rules, and the published documents on the disclosure work itself."""
    documents = public_document_rows().filter(topic__code="zwgk")[:20]
    return render(request, "disclosure/rules.html", {"documents": documents})


@require_safe
def statutory(request: HttpRequest) -> HttpResponse:
    """法定主动公开内容: the fifteen classes of Art 20 (R37), each with its catalogue items that have something to
    show (no blank column); a class with none is left out, the others keep their number."""
    nodes = statutory_items()
    by_class: dict[int, list[CatalogueNode]] = {}
    for node in nodes:
        by_class.setdefault(node.statutory_class, []).append(node)
    classes = [(cls, by_class[cls.value]) for cls in StatutoryClass if cls.value in by_class]
    return render(request, "disclosure/statutory.html", {"classes": classes})


@require_safe
def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    organisation = _organisation_or_404(code)
    return render(
        request,
        "disclosure/catalogue.html",
        {"organisation": organisation, "tree": without_blank_columns(catalogue_tree(organisation))},
    )


@require_safe
def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    node = public_nodes().select_related("organisation", "parent", "subject").filter(pk=pk).first()
    if node is None:
        raise Http404
    children = sub_items(node)
    page = cursor_page(
        node_documents(node, children=children),
        count=node_document_count(node, children=children),
        params=request.GET,
        per_page=PAGE_SIZE,
    )
    attach_interpretations(page.object_list)
    children = [child for child in children if child.is_active]  # the item itself is public: so is its organisation
    return render(
        request,
        "disclosure/node.html",
        {"node": node, "page": page, "children": children, "nil_notices": list(node_nil_notices(node)[:12])},
    )


@require_safe
def document_detail(request: HttpRequest, code: str, number: str) -> HttpResponse:
    document = public_document(code=code, number=number)
    if document is None:
        raise Http404
    document.public_interpretations = interpretations_of_public_document(document)
    repost = getattr(document, "repost", None)  # R18: a repost names its source and links to it
    return render(
        request,
        "disclosure/document.html",
        {
            "document": document,
            "repost": repost,
            "attachments": document_files(document),
            "nodes": document_catalogue_items(document),
        },
    )


@require_safe
def document_qr(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """The QR code of a public document's address, for phones and for the printed copy: an image of its own, so the
    page itself costs nothing more; 404 like the page when the document is not public."""
    if public_document(code=code, number=number) is None:
        raise Http404
    url = request.build_absolute_uri(reverse("disclosure:document", args=[code, number]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@require_safe
def attachment_download(request: HttpRequest, code: str, number: str, attachment_id: int) -> FileResponse:
    """Files are served only while their document is public (R39); the storage has no public URL of its own."""
    attachment = public_attachment(code=code, number=number, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "") for name in PARAMS}
    result = search_documents(
        query=request.GET.get("q", ""),
        params=params,
        page_number=request.GET.get("page"),
        sort=request.GET.get("sort", ""),
    )
    attach_interpretations([hit.document for hit in result.hits])
    interpretations = interpretation_search(result.words, policy_ids=result.policies) if result.page.number == 1 else []
    return render(
        request,
        "disclosure/search.html",
        {
            "result": result,
            "interpretations": interpretations,
            "field_choices": list(FIELD_LABELS.items()),
            "kept": (*FILTERS, "sort"),  # kept by the search form as hidden fields: a new query refines the same scope
        },
    )


@require_safe
def interpretation_list(request: HttpRequest) -> HttpResponse:
    """政策解读 (R17): newest first, filtered by form and organisation; pages reached by a cursor."""
    form = request.GET.get("form", "")
    form = form if form in InterpretationForm.values else ""
    organisation = request.GET.get("org", "")[:40]
    filters = {k: v for k, v in (("form", form), ("org", organisation)) if v}
    page = cursor_page(
        public_interpretation_list(form=form, organisation=organisation),
        count=public_interpretation_count(form=form, organisation=organisation),
        params=request.GET,
        per_page=PAGE_SIZE,
        extra=filters,
    )
    return render(
        request,
        "disclosure/interpretations.html",
        {
            "page": page,
            "forms": InterpretationForm.choices,
            "form": form,
            "organisations": interpretation_organisations(),
            "organisation": organisation,
        },
    )


@require_safe
def interpretation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interpretation = public_interpretation(pk)
    if interpretation is None:
        raise Http404
    siblings = [
        i for i in public_interpretation_list().filter(policy_id=interpretation.policy_id) if i.pk != interpretation.pk
    ]
    return render(request, "disclosure/interpretation.html", {"interpretation": interpretation, "siblings": siblings})


@require_safe
def interpretation_media(request: HttpRequest, pk: int, media_id: int) -> FileResponse:
    """Interpretation files are served only while the interpretation and its policy are public."""
    media = public_interpretation_media(interpretation_id=pk, media_id=media_id)
    if media is None:
        raise Http404
    try:
        handle = media.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = media.kind in ("image", "audio", "video")
    response = FileResponse(handle, as_attachment=not inline, filename=media.name, content_type=media.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def on_request_list(request: HttpRequest) -> HttpResponse:
    """依申请公开目录 (R10): the published issues, newest first, and the rows decided since the last issue, which the
    next issue will compile. Metadata only."""
    issues = list(directory_issues())
    since = issues[0].period_end + dt.timedelta(days=1) if issues else None
    today = timezone.localdate()
    pending = on_request_directory(start=since or dt.date(2000, 1, 1), end=today)
    return render(request, "disclosure/on_request.html", {"issues": issues, "pending": pending, "since": since})


@require_safe
def on_request_issue(request: HttpRequest, pk: int) -> HttpResponse:
    issue = DirectoryIssue.objects.filter(pk=pk).first()
    if issue is None:
        raise Http404
    return render(request, "disclosure/on_request_issue.html", {"issue": issue})
