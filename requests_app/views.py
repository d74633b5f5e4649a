"""The applicant's side (R20, R27): the online application, and the status page opened with the tracking code and
secret. A case is shown only to a browser session that presented both; a wrong code, a wrong secret and a missing
case all get the same answer. Wrong secrets are braked per address, per address and code, and per code without
locking the owner out (``requests_app.throttle``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.selectors import disclosure_subjects
from core import ratelimit
from core.actors import Applicant
from requests_app import services, throttle
from requests_app.forms import ApplicationForm, CorrectionAnswerForm, StatusLookupForm
from requests_app.identity import applicant_name_shown, mask_email, mask_identity, mask_phone
from requests_app.letter_pdf import PdfUnavailable, pdf_available, render_letter_pdf
from requests_app.letters import formal_letter, has_letter, letter_filename
from requests_app.models import InformationRequest, RequestEvent, RequestFile
from requests_app.selectors import normalise_code, request_for_applicant

TRACKED = "tracked_requests"
JUST_FILED = "just_filed"
Action = RequestEvent.Action
# What the applicant sees of the timeline: the facts that concern them, without staff notes or names.
APPLICANT_ACTIONS = {
    Action.FILED,
    Action.REGISTERED,
    Action.ACCEPTED,
    Action.CORRECTION_REQUESTED,
    Action.CORRECTION_ANSWERED,
    Action.ABANDONED,
    Action.CONSULTATION_STARTED,
    Action.CONSULTATION_ANSWERED,
    Action.EXTENSION_APPROVED,
    Action.FEE_NOTIFIED,
    Action.FEE_PAID,
    Action.REPLIED,
    Action.CLOSED,
    Action.WITHDRAWN,
}
LOOKUP_FAILED = gettext_lazy("查询码或查询密码不正确。请核对后重试；如遗失查询密码，请联系受理机关。")


def _track(request: HttpRequest, case: InformationRequest) -> None:
    tracked = [pk for pk in request.session.get(TRACKED, []) if pk != case.pk][-9:]
    request.session[TRACKED] = [*tracked, case.pk]


def _tracked_case(request: HttpRequest, code: str) -> InformationRequest | None:
    case = (
        InformationRequest.objects.filter(tracking_code=normalise_code(code), pk__in=request.session.get(TRACKED, []))
        .select_related("organisation")
        .first()
    )
    return case


@sensitive_post_parameters("id_number", "phone", "email", "address", "postcode")
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    organisations = disclosure_subjects()
    chosen = organisations.filter(code=request.GET.get("org", "")).first()
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        initial={"organisation": chosen, "information_form": "electronic", "delivery": "online"},
    )
    status = 200
    if request.method == "POST":
        status = 400
        ip = ratelimit.client_ip(request)
        if ratelimit.count("apply-ip", ip) >= settings.GOVOPEN_APPLY_LIMIT_PER_IP_HOUR:
            form.is_valid()  # bound, so the page shows back everything that was typed
            form.add_error(None, _("同一网络在一小时内提交的申请过多，请稍后再提交。您填写的内容已保留。"))
            status = 429
        elif form.is_valid():
            try:
                case, secret = services.request_file(
                    organisation=form.cleaned_data["organisation"],
                    values=form.application,
                    files=form.cleaned_data["files"],
                )
            except services.RequestError as exc:
                for name, problems in exc.fields.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                ratelimit.hit("apply-ip", ip, window_seconds=3600)
                request.session[JUST_FILED] = {"code": case.tracking_code, "secret": secret}
                _track(request, case)
                return HttpResponseRedirect(reverse("requests:apply_done"))
    return render(request, "requests_app/apply.html", {"form": form}, status=status)


@require_safe
def apply_done(request: HttpRequest) -> HttpResponse:
    filed = request.session.pop(JUST_FILED, None)  # the secret is shown once
    if not filed:
        return HttpResponseRedirect(reverse("requests:status"))
    case = InformationRequest.objects.select_related("organisation").filter(tracking_code=filed["code"]).first()
    if case is None:
        raise Http404
    response = render(request, "requests_app/apply_done.html", {"case": case, "secret": filed["secret"]})
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("secret")
@require_http_methods(["GET", "HEAD", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        status, error = 400, LOOKUP_FAILED
        ip = ratelimit.client_ip(request)
        code = normalise_code(request.POST.get("code") or "")
        refusal = throttle.refusal(ip=ip, code=code)
        if refusal:
            status, error = 429, refusal
        elif form.is_valid():
            case = request_for_applicant(code=code, secret=form.cleaned_data["secret"])
            if case is not None:
                request.session.cycle_key()
                _track(request, case)
                return HttpResponseRedirect(reverse("requests:status_case", args=[case.tracking_code]))
            throttle.record_failure(ip=ip, code=code)
        form = StatusLookupForm(initial={"code": code})  # the code stays typed, the secret never comes back
    return render(request, "requests_app/status_lookup.html", {"form": form, "error": error}, status=status)


@require_POST
def status_leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(TRACKED, None)
    return HttpResponseRedirect(reverse("requests:status"))


def _case_page(
    request: HttpRequest,
    case: InformationRequest,
    *,
    correction_form: CorrectionAnswerForm | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    deadline = services.deadline_of(case)
    events = [e for e in case.events.all() if e.action in APPLICANT_ACTIONS]
    context = {
        "case": case,
        "deadline": deadline,
        "events": events,
        "reply_files": case.files.filter(kind=RequestFile.Kind.REPLY) if case.replied_on else [],
        "letter": formal_letter(case) if has_letter(case) else None,
        "pdf_available": pdf_available(),
        "correction_form": correction_form or CorrectionAnswerForm(),
        "problems": problems or [],
        "masked": {
            "name": applicant_name_shown(case, full=False),
            "id_number": mask_identity(case.id_number),
            "phone": mask_phone(case.phone),
            "email": mask_email(case.email),
        },
    }
    response = render(request, "requests_app/status_case.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _case_or_lookup(request: HttpRequest, code: str) -> InformationRequest | HttpResponse:
    case = _tracked_case(request, code)
    if case is None:
        messages.info(request, _("请输入查询码和查询密码。"))
        return HttpResponseRedirect(reverse("requests:status"))
    return case


@require_safe
def status_case(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_lookup(request, code)
    if isinstance(case, HttpResponse):
        return case
    return _case_page(request, case)


@require_POST
def status_correction(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_lookup(request, code)
    if isinstance(case, HttpResponse):
        return case
    form = CorrectionAnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.request_correction_answer(
                request=case,
                actor=Applicant(case.pk),
                answer=form.cleaned_data["answer"],
                files=form.cleaned_data["files"],
            )
        except services.RequestError as exc:
            return _case_page(request, case, correction_form=form, problems=exc.problems, status=400)
        messages.success(request, _("补正已提交，答复期限自今日重新计算。"))
        return HttpResponseRedirect(reverse("requests:status_case", args=[case.tracking_code]))
    return _case_page(request, case, correction_form=form, status=400)


@require_POST
def status_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_lookup(request, code)
    if isinstance(case, HttpResponse):
        return case
    if request.POST.get("confirm") != "yes":
        return _case_page(request, case, problems=[_("请勾选确认后再撤回申请。")], status=400)
    try:
        services.request_withdraw(request=case, actor=Applicant(case.pk))
    except services.RequestError as exc:
        return _case_page(request, case, problems=exc.problems, status=400)
    messages.success(request, _("申请已撤回。"))
    return HttpResponseRedirect(reverse("requests:status_case", args=[case.tracking_code]))


@require_safe
def status_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    case = _tracked_case(request, code)
    if case is None or not case.replied_on:
        raise Http404
    record = get_object_or_404(RequestFile, pk=file_id, request=case, kind=RequestFile.Kind.REPLY)
    response = FileResponse(record.file.open("rb"), as_attachment=True, filename=record.name)
    response["Cache-Control"] = "private, no-store"
    return response


def _letter_case(request: HttpRequest, code: str) -> InformationRequest:
    case = _tracked_case(request, code)
    if case is None or not has_letter(case):
        raise Http404
    return case


@require_safe
def status_letter(request: HttpRequest, code: str) -> HttpResponse:
    """The 答复书 as a page of its own, laid out to print on A4 (the browser's print, or the button)."""
    case = _letter_case(request, code)
    context = {"case": case, "letter": formal_letter(case), "pdf_available": pdf_available()}
    response = render(request, "requests_app/letter_page.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def status_letter_pdf(request: HttpRequest, code: str) -> HttpResponse:
    case = _letter_case(request, code)
    try:
        content = render_letter_pdf(formal_letter(case))
    except PdfUnavailable:
        messages.info(request, _("暂时无法生成 PDF 文件，请使用本页的“打印”功能，可在打印时选择“另存为 PDF”。"))
        return HttpResponseRedirect(reverse("requests:status_letter", args=[case.tracking_code]))
    return pdf_response(content, letter_filename(case))


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
