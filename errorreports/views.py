"""The public side of 我为政府网站找错: the form (prefilled from ``?page=``, or from the Referer: the footer's link
carries no page, the footer being rendered once per process), the thank-you page with
the tracking code, the lookup by code (status and answer, never the contact), and the public list of answers.

Abuse is braked with the machinery of the application form and its status page: filings per address and hour
(``core.ratelimit``), and unknown codes per address (``requests_app.throttle``, the same per-address counter as
the application lookup, so guessing on either page counts against one limit).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from core import ratelimit
from errorreports import services
from errorreports.forms import ErrorReportForm, LookupForm
from errorreports.models import ErrorReport, ErrorReportEvent
from errorreports.selectors import public_answers, report_for_code
from errorreports.validation import PageRefused, same_site_path, site_hosts
from requests_app import throttle

JUST_FILED = "errorreport_filed"
RATE_SCOPE = "errorreport-ip"
PAGE_SIZE = 15
# What the reporter sees of the timeline: the facts, without staff names or notes.
PUBLIC_ACTIONS = {
    ErrorReportEvent.Action.RECEIVED,
    ErrorReportEvent.Action.ACKNOWLEDGED,
    ErrorReportEvent.Action.ANSWERED,
    ErrorReportEvent.Action.DECLINED,
}


def _prefilled_page(request: HttpRequest, hosts: set[str]) -> str:
    """The page a link passed (``?page=/documents/…/``), else the page the visitor came from (the Referer,
    which the site's same-origin referrer policy sends between its own pages), if it is one of this site's public
    pages and not this feature's own; anything else is ignored, as every bad filter value is (core/params.py)."""
    own = reverse("errorreports:report")
    for candidate in (request.GET.get("page", ""), request.META.get("HTTP_REFERER", "")):
        try:
            page = same_site_path(candidate, hosts=hosts)
        except PageRefused:
            continue
        if not page.startswith(own):
            return page
    return ""


@sensitive_post_parameters("contact_name", "contact_phone", "contact_email")
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    hosts = site_hosts(request_host=request.get_host())
    data = request.POST if request.method == "POST" else None  # an empty POST is bound too, and told what is missing
    form = ErrorReportForm(data, hosts=hosts, initial={"page_url": _prefilled_page(request, hosts)})
    status = 200
    if request.method == "POST":
        status = 400
        ip = ratelimit.client_ip(request)
        if ratelimit.count(RATE_SCOPE, ip) >= settings.GOVOPEN_ERROR_REPORT_LIMIT_PER_IP_HOUR:
            form.is_valid()  # bound, so the page shows back everything that was typed
            form.add_error(None, _("同一网络在一小时内提交的留言过多，请稍后再提交。您填写的内容已保留。"))
            status = 429
        elif form.is_valid():
            try:
                filed = services.report_receive(values=form.report, hosts=hosts)
            except services.ErrorReportError as exc:
                if not exc.fields:
                    form.add_error(None, exc.problems)
                for name, problems in exc.fields.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                ratelimit.hit(RATE_SCOPE, ip, window_seconds=3600)
                request.session[JUST_FILED] = filed.tracking_code
                return HttpResponseRedirect(reverse("errorreports:done"))
    context = {
        "form": form,
        "ack_days": settings.GOVOPEN_ERROR_REPORT_ACK_WORKDAYS,
        "answer_days": settings.GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS,
    }
    return render(request, "errorreports/report.html", context, status=status)


@require_safe
def done(request: HttpRequest) -> HttpResponse:
    # Kept in the session (not popped, unlike an applicant's secret): the code is no secret, and a reload keeps it.
    code = request.session.get(JUST_FILED)
    filed = ErrorReport.objects.filter(tracking_code=code).first() if code else None
    if filed is None:
        return HttpResponseRedirect(reverse("errorreports:status"))
    response = render(request, "errorreports/done.html", {"report": filed})
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """GET shows the form (``?code=`` from the mail prefills it); only a POST shows a report, so a report is never a
    page the anonymous cache could keep, and every lookup passes the per-address brake."""
    if request.method != "POST":
        form = LookupForm(initial={"code": (request.GET.get("code") or "")[:40]})
        return render(request, "errorreports/status.html", {"form": form})
    form = LookupForm(request.POST)
    ip = ratelimit.client_ip(request)
    refusal = throttle.refusal(ip=ip, code="")
    if refusal:
        return render(request, "errorreports/status.html", {"form": form, "error": refusal}, status=429)
    if not form.is_valid():
        return render(request, "errorreports/status.html", {"form": form}, status=400)
    found = report_for_code(form.cleaned_data["code"])
    if found is None:
        throttle.record_failure(ip=ip, code="")
        error = _("没有找到这个查询码的留言，请核对后重试。")
        return render(request, "errorreports/status.html", {"form": form, "error": error}, status=404)
    events = [e for e in found.events.all() if e.action in PUBLIC_ACTIONS]
    response = render(request, "errorreports/status.html", {"form": LookupForm(), "report": found, "events": events})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def answers(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_answers(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "errorreports/answers.html", {"page": page})
