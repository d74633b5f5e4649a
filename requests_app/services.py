"""Every write that changes an application: one function per state change (Art 29–45; R20–R29).

Each is atomic, re-reads the case under a row lock, checks its state and the actor's role, saves only what it
touched, recomputes the cached deadline, writes a ``RequestEvent`` and the history reason, and leaves e-mail to
``transaction.on_commit`` (through ``ops.services.notify_once``). The actor is typed (core.actors): a staff user, the
``Applicant`` of the case (through the status page, with code and secret) or the ``System`` with its job (the sweep,
demo loading); ``None`` is refused. Dates of legal facts (``on``) are given by the caller and
checked: never in the future, never before the fact they follow.

Nothing here logs personal data: log lines name the tracking code at most.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from catalog.roles import Role
from catalog.selectors import office_emails, role_member_emails
from catalog.workdays import WorkCalendar
from core import actors, workflow
from core.actors import Actor, StaffOrSystem, User
from core.errors import DUPLICATE, REASON_MISSING, Problem, Problems
from core.records import save_checked
from disclosure.content import CheckedUpload
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.services import DocumentError, document_reconsider
from ops.services import notify_once
from requests_app import permissions, steps
from requests_app.deadlines import (
    MAX_EXTENSION_DAYS,
    Deadline,
    compute_deadline,
)
from requests_app.fees import fee_by_volume, fee_per_request
from requests_app.identity import compact_secret, id_blind_index, new_secret, secret_digest
from requests_app.letters import next_reply_number, remedy_text, unknown_placeholders
from requests_app.models import (
    REPLY_OUTCOMES,
    Channel,
    Consultation,
    FeeMethod,
    InformationRequest,
    LetterTemplate,
    Outcome,
    RequestEvent,
    RequestFile,
    ReviewCase,
)
from requests_app.validation import application_problems, clean_values, date_problem

logger = logging.getLogger(__name__)

Status = InformationRequest.Status
Action = RequestEvent.Action

APPLICATION_FIELDS = (
    "applicant_type",
    "applicant_name",
    "id_type",
    "id_number",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "document_title",
    "document_number",
    "document_index_no",
    "information_form",
    "delivery",
    "fee_waiver_requested",
    "fee_waiver_reason",
)
# Channels whose receipt date is the arrival date itself (R21); the others are received when both sides confirm.
RECEIVED_ON_ARRIVAL = (Channel.IN_PERSON, Channel.POST, Channel.ORAL)
CORRECTION_PERIOD_RANGE = (5, 30)


class RequestError(Problems):
    """A move the rules do not allow (core.errors); ``fields`` maps form field names to their own messages when the
    input itself is wrong."""


def _may(allowed: Callable[[User], bool], actor: Actor) -> None:
    """A staff step outside the case's steps (registering on paper, review records, letter templates)."""
    workflow.authorise(allowed, actor, RequestError, _("您没有办理该申请这一操作的权限。"))


def _legal_date(day: dt.date | None, *, label: str, not_before: dt.date | None = None) -> dt.date:
    """The date of a legal fact, today unless given; refused when absurd (future, a year back, before ``not_before``)."""
    day = day or timezone.localdate()
    problem = date_problem(day, today=timezone.localdate(), label=label, not_before=not_before)
    if problem:
        raise RequestError(Problem("implausible_date", problem))
    return day


def _locked(request: InformationRequest) -> InformationRequest:
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "handler")
        .get(pk=request.pk)
    )


def _take_step(request: InformationRequest, actor: Actor, check: steps.Check) -> InformationRequest:
    """The case locked for a step, then refused with what the step's own check finds (requests_app/steps.py: the
    same check decides whether the admin offers the step)."""
    request = _locked(request)
    problems = check(request, actor)
    if problems:
        raise RequestError(*problems)
    return request


def deadline_of(
    request: InformationRequest, *, today: dt.date | None = None, calendar: WorkCalendar | None = None
) -> Deadline:
    return compute_deadline(request, today=today or timezone.localdate(), calendar=calendar)


def _refresh_cache(request: InformationRequest, deadline: Deadline) -> list[str]:
    values = {"due_on": deadline.due, "due_provisional": deadline.provisional, "clock": deadline.clock}
    touched = [name for name, value in values.items() if getattr(request, name) != value]
    for name in touched:
        setattr(request, name, values[name])
    return touched


def _record(
    request: InformationRequest,
    *,
    actor: Actor,
    action: str,
    on: dt.date,
    before: str,
    note: str = "",
    fields: Iterable[str] = (),
) -> RequestEvent:
    fields = list(fields) + _refresh_cache(request, deadline_of(request))
    label = RequestEvent.Action(action).label
    request._change_reason = f"{label}{'：' + note if note else ''}"[:100]
    request._history_user = actors.staff_user(actor)
    if fields:
        request.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
    if isinstance(actor, actors.System):
        note = f"{note}（{actor}）" if note else str(actor)
    return RequestEvent.objects.create(
        request=request,
        actor=actors.staff_user(actor),
        action=action,
        on=on,
        from_status=before,
        to_status=request.status,
        note=note,
    )


def _store_files(request: InformationRequest, uploads: Iterable[CheckedUpload], *, kind: str) -> list[RequestFile]:
    stored = []
    for upload in uploads:
        record = RequestFile(
            request=request,
            kind=kind,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )
        record.file.save(upload.name, ContentFile(upload.data), save=False)
        record.save()
        stored.append(record)
    return stored


# --- Notifications ------------------------------------------------------------------------------------------------


def handler_emails(request: InformationRequest) -> list[str]:
    if request.handler_id and request.handler.email:
        return [request.handler.email]
    return role_member_emails(request.organisation, Role.HANDLER)


def staff_link(request: InformationRequest) -> str:
    return settings.GOVOPEN_SITE_URL + reverse("admin:requests_app_informationrequest_change", args=[request.pk])


def _status_link() -> str:
    return settings.GOVOPEN_SITE_URL + reverse("requests:status")


def _tell_applicant(request: InformationRequest, *, key: str, subject: str, body: str) -> None:
    """The applicant hears of every step that concerns them, by e-mail when they gave one; the status page
    shows the same facts either way. The message names the case by its code, never by the applicant's data."""
    if not request.email:
        return
    notify_once(
        key=f"request:{request.pk}:{key}",
        recipients=[request.email],
        subject=f"[{request.tracking_code}] {subject}",
        body=body + "\n\n" + _("请凭查询码和查询密码查看办理情况：%(link)s") % {"link": _status_link()},
    )


# --- Filing and intake (Art 29–31, R20–R21) -----------------------------------------------------------------------


def application_check(values: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values, or ``RequestError`` with a message per field."""
    cleaned = clean_values({name: values.get(name) for name in APPLICATION_FIELDS})
    problems = application_problems(cleaned, today=timezone.localdate())
    if problems:
        raise RequestError(fields=problems)
    return cleaned


def _new_secret() -> tuple[str, str]:
    """The secret as shown and printed (groups of four) and the digest kept of its compact form (R27)."""
    secret = new_secret()
    return secret, secret_digest(compact_secret(secret))


@transaction.atomic
def request_file(
    *, organisation: Organisation, values: dict[str, Any], files: Iterable[CheckedUpload] = ()
) -> tuple[InformationRequest, str]:
    """An application filed online by the applicant (Art 29). Returns the case and its secret, which is shown once
    and e-mailed; only its keyed digest is kept. The receipt date waits for the office's acceptance (R21)."""
    if not organisation.is_active or not organisation.is_disclosure_subject:  # never an internal office (处室)
        raise RequestError(fields={"organisation": [_("请选择受理机关。")]})
    cleaned = application_check(values)
    secret, digest = _new_secret()
    request = InformationRequest(organisation=organisation, channel=Channel.ONLINE, secret_hash=digest, **cleaned)
    request.submitted_at = timezone.now()
    _refresh_cache(request, deadline_of(request))
    request._change_reason = str(Action.FILED.label)
    request.save()
    _store_files(request, files, kind=RequestFile.Kind.IDENTITY)
    RequestEvent.objects.create(request=request, action=Action.FILED, on=timezone.localdate(), to_status=request.status)
    transaction.on_commit(lambda: _mail_secret(request, secret))
    notify_once(
        key=f"request:{request.pk}:filed-staff",
        recipients=role_member_emails(organisation, Role.HANDLER),
        subject=_("新的政府信息公开申请：%(code)s") % {"code": request.tracking_code},
        body=_("收到一件网上申请，请尽快与申请人确认并受理（《条例》第三十一条）：%(link)s")
        % {"link": staff_link(request)},
    )
    return request, secret


def _mail_secret(request: InformationRequest, secret: str) -> None:
    # Sent directly, not through the Notification table, so the secret is never stored in clear.
    if not request.email:
        return
    try:
        send_mail(
            _("[%(code)s] 您的政府信息公开申请已提交") % {"code": request.tracking_code},
            _(
                "您向%(org)s提出的政府信息公开申请已提交。\n查询码：%(code)s\n查询密码：%(secret)s\n"
                "请妥善保管查询密码，凭查询码和查询密码查看办理情况：%(link)s\n"
                "网上申请以本机关与您确认（受理）之日为收到申请之日。"
            )
            % {
                "org": request.organisation.name,
                "code": request.tracking_code,
                "secret": secret,
                "link": _status_link(),
            },
            None,
            [request.email],
        )
    except Exception as exc:  # the applicant still has the code and secret on screen
        logger.warning("filing e-mail for %s not sent: %s", request.tracking_code, type(exc).__name__)


@transaction.atomic
def request_register(
    *,
    organisation: Organisation,
    actor: StaffOrSystem,
    channel: str,
    arrived_on: dt.date,
    values: dict[str, Any],
    files: Iterable[CheckedUpload] = (),
    note: str = "",
) -> tuple[InformationRequest, str]:
    """An application that arrived in person, by post, by ordinary letter or by fax, or was made orally and written
    down by staff (Art 29, R20). In person, signed post and oral: received on arrival. Ordinary letter and fax:
    received when the office confirms with the applicant, which ``request_accept`` records (R21)."""
    _may(
        lambda user: (
            permissions.can_register_request(user)
            and permissions.registrable_organisations(user).filter(pk=organisation.pk).exists()
        ),
        actor,
    )
    if channel not in Channel.values or channel == Channel.ONLINE:
        raise RequestError(fields={"channel": [_("请选择申请方式（当面、邮寄、平信、传真或口头）。")]})
    fields: dict[str, list[str]] = {}
    problem = date_problem(arrived_on, today=timezone.localdate(), label=str(_("到达日期")))
    if problem:
        fields["arrived_on"] = [problem]
    try:
        cleaned = application_check(values)
    except RequestError as exc:
        fields.update(exc.fields)
    if fields:
        raise RequestError(fields=fields)
    secret, digest = _new_secret()
    request = InformationRequest(
        organisation=organisation,
        channel=channel,
        secret_hash=digest,
        arrived_on=arrived_on,
        **cleaned,
    )
    request.submitted_at = timezone.now()
    _refresh_cache(request, deadline_of(request))
    request._history_user = actors.staff_user(actor)
    request._change_reason = str(Action.REGISTERED.label)
    request.save()
    _store_files(request, files, kind=RequestFile.Kind.APPLICATION)
    RequestEvent.objects.create(
        request=request,
        actor=actors.staff_user(actor),
        action=Action.REGISTERED,
        on=arrived_on,
        to_status=request.status,
        note=note or Channel(channel).label,
    )
    if channel in RECEIVED_ON_ARRIVAL:
        request = request_accept(request=request, actor=actor, received_on=arrived_on)
    return request, secret


@transaction.atomic
def request_accept(
    *, request: InformationRequest, actor: Actor, received_on: dt.date | None = None
) -> InformationRequest:
    """The office accepts: for online, letter and fax applications this is the confirmation that fixes the receipt
    date (R21). The accepting handler becomes the case's handler unless one is set."""
    request = _take_step(request, actor, steps.request_accept_problems)
    floor = request.arrived_on or timezone.localtime(request.submitted_at).date()
    received_on = _legal_date(received_on, label=str(_("收到申请之日")), not_before=floor)
    before = request.status
    request.received_on = received_on
    request.status = Status.ACCEPTED
    fields = ["received_on", "status"]
    user = actors.staff_user(actor)
    if request.handler_id is None and user is not None and permissions.can_handle_request(user, request):
        request.handler = user
        fields.append("handler")
    _record(request, actor=actor, action=Action.ACCEPTED, on=received_on, before=before, fields=fields)
    _tell_applicant(
        request,
        key="accepted",
        subject=_("申请已受理"),
        body=_("您的申请已于 %(d)s 受理，本机关将在答复期限 %(due)s 前答复。")
        % {"d": received_on, "due": request.due_on},
    )
    return request


@transaction.atomic
def request_assign(*, request: InformationRequest, actor: Actor, handler: Any) -> InformationRequest:
    request = _take_step(request, actor, steps.request_assign_problems)
    if not permissions.can_handle_request(handler, request):
        raise RequestError(_("所选人员不是该机关的申请承办人。"))
    before = request.status
    request.handler = handler
    _record(
        request,
        actor=actor,
        action=Action.ASSIGNED,
        on=timezone.localdate(),
        before=before,
        fields=["handler"],
        note=handler.get_full_name() or handler.get_username(),
    )
    return request


@transaction.atomic
def request_link_document(*, request: InformationRequest, actor: Actor, document: Any) -> InformationRequest:
    """Which government information the case is about; feeds the reply letter and the Art 44 clusters (R28)."""
    request = _take_step(request, actor, steps.request_link_document_problems)
    if document is not None and document.organisation_id != request.organisation_id:
        raise RequestError(_("只能关联本机关的政府信息。"))
    before = request.status
    request.linked_document = document
    _record(
        request,
        actor=actor,
        action=Action.DOCUMENT_LINKED,
        on=timezone.localdate(),
        before=before,
        fields=["linked_document"],
        note=document.index_no if document is not None else _("取消关联"),
    )
    return request


# --- Correction (Art 30, R22) -------------------------------------------------------------------------------------


@transaction.atomic
def request_correction_ask(
    *, request: InformationRequest, actor: Actor, items: str, period_days: int, on: dt.date | None = None
) -> InformationRequest:
    """Ask, once and listing everything, for a correction within 7 working days of receipt; the applicant gets
    ``period_days`` working days. The reply clock stops until the corrected application arrives."""
    request = _take_step(request, actor, steps.request_correction_ask_problems)
    on = _legal_date(on, label=str(_("告知补正日期")), not_before=request.received_on)
    window_end = deadline_of(request).correction_window_end
    if on > window_end:
        raise RequestError(
            Problem(
                "correction_window_passed",
                _("告知补正应在收到申请之日起 7 个工作日内（%(d)s 前）提出，已超过期限（《条例》第三十条）。")
                % {"d": window_end},
            )
        )
    items = (items or "").strip()
    if len(items) < 4:
        raise RequestError(_("请一次性写明需要补正的全部事项。"))
    low, high = CORRECTION_PERIOD_RANGE
    if not low <= (period_days or 0) <= high:
        raise RequestError(_("补正期限应为 %(low)s 至 %(high)s 个工作日。") % {"low": low, "high": high})
    before = request.status
    request.status = Status.AWAITING_CORRECTION
    request.correction_requested_on, request.correction_items, request.correction_period_days = on, items, period_days
    _record(
        request,
        actor=actor,
        action=Action.CORRECTION_REQUESTED,
        on=on,
        before=before,
        note=items,
        fields=["status", "correction_requested_on", "correction_items", "correction_period_days"],
    )
    due = deadline_of(request).correction_due
    _tell_applicant(
        request,
        key="correction",
        subject=_("请补正申请"),
        body=_("您的申请需要补正以下事项：\n%(items)s\n请在 %(due)s 前补正。逾期无正当理由不补正的，视为放弃申请。")
        % {"items": items, "due": due},
    )
    return request


@transaction.atomic
def request_correction_answer(
    *,
    request: InformationRequest,
    actor: Actor,
    answer: str,
    files: Iterable[CheckedUpload] = (),
    on: dt.date | None = None,
) -> InformationRequest:
    """The corrected application arrives (through the status page, as the ``Applicant``, or recorded by staff); the reply
    clock restarts from that day (R22)."""
    request = _take_step(request, actor, steps.request_correction_answer_problems)
    on = _legal_date(on, label=str(_("收到补正材料日期")), not_before=request.correction_requested_on)
    answer = (answer or "").strip()
    files = list(files)
    if not answer and not files:
        raise RequestError(_("请填写补正内容或上传补正材料。"))
    if len(answer) > 4000:
        raise RequestError(_("补正内容不能超过 4000 字。"))
    before = request.status
    request.status = Status.ACCEPTED
    request.correction_answered_on, request.correction_answer = on, answer
    _store_files(request, files, kind=RequestFile.Kind.CORRECTION)
    _record(
        request,
        actor=actor,
        action=Action.CORRECTION_ANSWERED,
        on=on,
        before=before,
        fields=["status", "correction_answered_on", "correction_answer"],
    )
    notify_once(
        key=f"request:{request.pk}:corrected",
        recipients=handler_emails(request),
        subject=_("申请已补正：%(code)s") % {"code": request.tracking_code},
        body=_("申请人已补正，答复期限自 %(d)s 重新起算，至 %(due)s：%(link)s")
        % {"d": on, "due": request.due_on, "link": staff_link(request)},
    )
    return request


# --- Consultation (Art 32, 34; R23) -------------------------------------------------------------------------------


@transaction.atomic
def request_consultation_start(
    *, request: InformationRequest, actor: Actor, kind: str, party: str, matter: str = "", on: dt.date | None = None
) -> Consultation:
    request = _take_step(request, actor, steps.request_consultation_start_problems)
    start = request.correction_answered_on or request.received_on
    on = _legal_date(on, label=str(_("发出征求意见日期")), not_before=start)
    if kind not in Consultation.Kind.values:
        raise RequestError(_("请选择征求意见的对象类型。"))
    party = (party or "").strip()
    if not party:
        raise RequestError(_("请填写征求意见的对象。"))
    consultation = Consultation.objects.create(
        request=request, kind=kind, party=party[:200], matter=(matter or "").strip(), started_on=on
    )
    _record(
        request,
        actor=actor,
        action=Action.CONSULTATION_STARTED,
        on=on,
        before=request.status,
        note=f"{consultation.get_kind_display()}：{party}",
    )
    return consultation


@transaction.atomic
def request_consultation_answer(
    *, consultation: Consultation, actor: Actor, answer: str, note: str = "", on: dt.date | None = None
) -> Consultation:
    """The third party's or co-issuer's view arrives, or its 15 days pass in silence: a silent third party leaves
    the decision to the office, a silent co-issuer counts as consent (Art 32, 34)."""
    request = _take_step(consultation.request, actor, steps.request_consultation_answer_problems)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.answered_on:
        raise RequestError(_("该征求意见已记录答复。"))
    if answer not in Consultation.Answer.values:
        raise RequestError(_("请选择对方意见。"))
    on = _legal_date(on, label=str(_("收到意见日期")), not_before=consultation.started_on)
    consultation.answered_on, consultation.answer, consultation.answer_note = on, answer, (note or "").strip()
    consultation.save(update_fields=["answered_on", "answer", "answer_note"])
    _record(
        request,
        actor=actor,
        action=Action.CONSULTATION_ANSWERED,
        on=on,
        before=request.status,
        note=f"{consultation.party}：{consultation.get_answer_display()}",
    )
    return consultation


# --- Extension (Art 33, R24) --------------------------------------------------------------------------------------


@transaction.atomic
def request_extension_propose(
    *, request: InformationRequest, actor: Actor, days: int, reason: str
) -> InformationRequest:
    """The handler asks the disclosure office's head for the one extension the law allows."""
    request = _take_step(request, actor, steps.request_extension_propose_problems)
    if not 1 <= (days or 0) <= MAX_EXTENSION_DAYS:
        raise RequestError(
            Problem("extension_limit", _("延长期限最长不超过 %(n)s 个工作日。") % {"n": MAX_EXTENSION_DAYS}, "days")
        )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise RequestError(_("请写明需要延长答复期限的理由。"))
    if request.due_on and timezone.localdate() > request.due_on:
        raise RequestError(_("答复期限已过，不能再申请延期。"))
    request.extension_proposed_days, request.extension_proposed_reason = days, reason
    request.extension_proposed_by = actors.staff_user(actor)
    _record(
        request,
        actor=actor,
        action=Action.EXTENSION_PROPOSED,
        on=timezone.localdate(),
        before=request.status,
        note=_("拟延长 %(n)s 个工作日：%(r)s") % {"n": days, "r": reason},
        fields=["extension_proposed_days", "extension_proposed_reason", "extension_proposed_by"],
    )
    notify_once(
        key=f"request:{request.pk}:extension-proposed",
        recipients=office_emails(),
        subject=_("延期审批：%(code)s") % {"code": request.tracking_code},
        body=_("承办人申请延长答复期限 %(n)s 个工作日，理由：%(r)s\n请政务公开办负责人审批：%(link)s")
        % {"n": days, "r": reason, "link": staff_link(request)},
    )
    return request


@transaction.atomic
def request_extension_approve(*, request: InformationRequest, actor: Actor, note: str = "") -> InformationRequest:
    """The head of the disclosure office approves; the applicant is told the new deadline (Art 33)."""
    request = _take_step(request, actor, steps.request_extension_decide_problems)
    if request.due_on and timezone.localdate() > request.due_on:
        raise RequestError(_("答复期限已过，不能再批准延期。"))
    request.extension_days = request.extension_proposed_days
    request.extension_approved_by, request.extension_approved_on = actors.staff_user(actor), timezone.localdate()
    _record(
        request,
        actor=actor,
        action=Action.EXTENSION_APPROVED,
        on=request.extension_approved_on,
        before=request.status,
        fields=["extension_days", "extension_approved_by", "extension_approved_on"],
        note=note or request.extension_proposed_reason,
    )
    _tell_applicant(
        request,
        key="extended",
        subject=_("答复期限延长"),
        body=_("因%(reason)s，经本机关政务公开工作机构负责人同意，答复期限延长 %(n)s 个工作日，至 %(due)s。")
        % {
            "reason": request.extension_proposed_reason.rstrip("。．. "),
            "n": request.extension_days,
            "due": request.due_on,
        },
    )
    return request


@transaction.atomic
def request_extension_decline(*, request: InformationRequest, actor: Actor, note: str) -> InformationRequest:
    request = _take_step(request, actor, steps.request_extension_decide_problems)
    note = (note or "").strip()
    if not note:
        raise RequestError(_("请写明不批准的理由。"))
    request.extension_proposed_days = None
    _record(
        request,
        actor=actor,
        action=Action.EXTENSION_DECLINED,
        on=timezone.localdate(),
        before=request.status,
        fields=["extension_proposed_days"],
        note=note,
    )
    notify_once(
        key=f"request:{request.pk}:extension-declined:{timezone.now().timestamp():.0f}",
        recipients=handler_emails(request),
        subject=_("延期未获批准：%(code)s") % {"code": request.tracking_code},
        body=_("理由：%(n)s\n请在原答复期限 %(due)s 前答复。") % {"n": note, "due": request.due_on},
    )
    return request


# --- Fees (Art 42, R26) -------------------------------------------------------------------------------------------


def fee_options(request: InformationRequest, *, pages: int | None) -> dict[str, Decimal | None]:
    """Both methods computed, for the handler to compare; only one may be charged."""
    month_start = (request.received_on or timezone.localdate()).replace(day=1)
    # The identity number is encrypted; the blind index is its equality key (PIPL Art 28).
    earlier = (
        InformationRequest.objects.filter(
            organisation=request.organisation,
            id_blind_index=id_blind_index(request.id_type, request.id_number),
            received_on__gte=month_start,
            received_on__lte=request.received_on or timezone.localdate(),
        )
        .exclude(pk=request.pk)
        .count()
    )
    return {
        FeeMethod.PER_REQUEST: fee_per_request(earlier + 1),
        FeeMethod.BY_VOLUME: fee_by_volume(pages) if pages else None,
        "nth": earlier + 1,
    }


@transaction.atomic
def request_fee_notice(
    *, request: InformationRequest, actor: Actor, method: str, pages: int | None = None, on: dt.date | None = None
) -> InformationRequest:
    """A fee notice under one method; the period until payment is not counted (109号). A waiver the applicant asked
    for is decided by not sending a notice."""
    request = _take_step(request, actor, steps.request_fee_notice_problems)
    if method not in (FeeMethod.PER_REQUEST, FeeMethod.BY_VOLUME):
        raise RequestError(Problem("fee_one_method", _("请选择按件或按量计收中的一种，二者不能同时适用。"), "method"))
    if method == FeeMethod.BY_VOLUME and not (pages and 0 < pages <= 100_000):
        raise RequestError(_("按量计收请填写页数。"))
    on = _legal_date(on, label=str(_("收费通知日期")), not_before=request.received_on)
    amount = fee_options(request, pages=pages)[method]
    if not amount:
        raise RequestError(_("按所选方式计算不应收费（按件每月前 10 件、按量每件前 30 页免费）。"))
    request.fee_method, request.fee_pages, request.fee_amount, request.fee_notified_on = (
        method,
        pages if method == FeeMethod.BY_VOLUME else None,
        amount,
        on,
    )
    _record(
        request,
        actor=actor,
        action=Action.FEE_NOTIFIED,
        on=on,
        before=request.status,
        fields=["fee_method", "fee_pages", "fee_amount", "fee_notified_on"],
        note=_("%(m)s，%(a)s 元") % {"m": FeeMethod(method).label, "a": amount},
    )
    _tell_applicant(
        request,
        key="fee",
        subject=_("信息处理费缴费通知"),
        body=_("本申请需缴纳信息处理费 %(a)s 元（%(m)s），请在 %(due)s 前缴纳；逾期未缴纳的，本机关不再处理该申请。")
        % {"a": amount, "m": FeeMethod(method).label, "due": deadline_of(request).fee_due},
    )
    return request


@transaction.atomic
def request_fee_paid(*, request: InformationRequest, actor: Actor, on: dt.date | None = None) -> InformationRequest:
    request = _take_step(request, actor, steps.request_fee_paid_problems)
    request.fee_paid_on = _legal_date(on, label=str(_("缴费日期")), not_before=request.fee_notified_on)
    _record(
        request,
        actor=actor,
        action=Action.FEE_PAID,
        on=request.fee_paid_on,
        before=request.status,
        fields=["fee_paid_on"],
        note=_("%(a)s 元") % {"a": request.fee_amount},
    )
    return request


# --- Reply, closing, withdrawal, abandonment (Art 33–39; R25) -------------------------------------------------------


DISCLOSING_OUTCOMES = (Outcome.OPEN, Outcome.ALREADY_PUBLIC, Outcome.PARTIAL)


def third_party_positions(request: InformationRequest) -> tuple[bool, bool]:
    """Whether a consulted third party agreed to disclosure, and whether one objected (Art 32)."""
    answers = {
        c.answer
        for c in request.consultations.all()
        if c.kind == Consultation.Kind.THIRD_PARTY and c.answered_on is not None
    }
    return Consultation.Answer.AGREES in answers, Consultation.Answer.OBJECTS in answers


def third_party_problems(
    request: InformationRequest,
    *,
    outcome: str,
    withheld_parts: list[dict],
    reason: str,
    notified_on: dt.date | None,
    replied_on: dt.date,
) -> list[Problem]:
    """Art 15 and 32: withholding on the third party's behalf after it agreed needs a reason on record; disclosing
    over its objection needs the public-interest reason and a written notice to it before the release."""
    agreed, objected = third_party_positions(request)
    third_party_part = any(part.get("ground") == Ground.THIRD_PARTY for part in withheld_parts)
    withholds_for_it = outcome == Outcome.WITHHELD_THIRD_PARTY or (outcome == Outcome.PARTIAL and third_party_part)
    over_objection = objected and outcome in DISCLOSING_OUTCOMES and not third_party_part
    problems = []
    if agreed and withholds_for_it and not reason:
        problems.append(
            Problem(
                REASON_MISSING,
                _("第三方已同意公开，仍以保护第三方合法权益为由不予公开的，请写明理由（《条例》第三十二条）。"),
                "third_party_reason",
            )
        )
    if over_objection and not reason:
        problems.append(
            Problem(
                REASON_MISSING,
                _(
                    "第三方不同意公开；决定予以公开的，须写明不公开可能对公共利益造成重大影响的理由（《条例》第十五条、第三十二条）。"
                ),
                "third_party_reason",
            )
        )
    if over_objection and notified_on is None:
        problems.append(
            Problem(
                "third_party_notice_missing",
                _("决定公开前，须将决定公开的内容和理由书面告知第三方：请填写告知日期（《条例》第三十二条）。"),
                "third_party_notified_on",
            )
        )
    if notified_on is not None and notified_on > replied_on:
        problems.append(
            Problem(
                "third_party_notice_late",
                _("书面告知第三方的日期应早于或等于答复日期（先告知，后公开）。"),
                "third_party_notified_on",
            )
        )
    return problems


def reply_problems(
    request: InformationRequest,
    *,
    outcome: str,
    letter: str,
    withheld_parts: list[dict],
    referral_organisation: str,
    deadline: Deadline,
) -> list[Problem | str]:
    problems: list[Problem | str] = []
    if outcome not in REPLY_OUTCOMES:
        problems.append(_("请选择办理结果。"))
    if not (letter or "").strip():
        problems.append(_("请填写答复书。"))
    if "[" in (letter or "") and "]" in (letter or ""):
        problems.append(Problem("letter_unfinished", _("答复书中还有方括号标出的待填写内容，请补全。"), "letter"))
    if outcome == Outcome.PARTIAL:
        if not withheld_parts:
            problems.append(
                Problem(
                    "withheld_parts_missing",
                    _("部分公开须逐项写明不予公开的部分及理由（《条例》第三十七条）。"),
                    "withheld_parts",
                )
            )
        for index, part in enumerate(withheld_parts, start=1):
            if not part.get("part") or part.get("ground") not in Ground.values:
                problems.append(
                    Problem(
                        "withheld_part_incomplete",
                        _("第 %(n)s 项不予公开的部分：请写明内容并选择法定理由。") % {"n": index},
                        "withheld_parts",
                    )
                )
    if outcome == Outcome.NOT_HELD_REFERRAL and not referral_organisation.strip():
        problems.append(
            Problem(
                "referral_missing",
                _("非本机关负责的，请写明负责公开该信息的机关名称（《条例》第三十六条第五项）。"),
                "referral_organisation",
            )
        )
    if outcome == Outcome.STILL_UNCLEAR and not request.correction_answered_on:
        problems.append(
            Problem("not_corrected", _("只有经过补正的申请才能以“补正后申请内容仍不明确”答复。"), "outcome")
        )
    if deadline.fee_pending:
        problems.append(Problem("fee_not_paid", _("申请人尚未缴纳信息处理费，缴费后再答复。")))
    missing = request.organisation.letter_settings_missing
    if missing:
        problems.append(
            _("答复书须有文号并写明行政复议机关和管辖法院：请政务公开办先在“机构”中填写本机关的%(fields)s。")
            % {"fields": "、".join(missing)}
        )
    return problems


@transaction.atomic
def request_reply(
    *,
    request: InformationRequest,
    actor: Actor,
    outcome: str,
    letter: str,
    withheld_parts: list[dict] | None = None,
    referral_organisation: str = "",
    referral_contact: str = "",
    files: Iterable[CheckedUpload] = (),
    on: dt.date | None = None,
    third_party_reason: str = "",
    third_party_notified_on: dt.date | None = None,
) -> InformationRequest:
    """The reply (Art 36–39): one outcome code from R25, the letter, and the files provided. Where a third party
    was consulted, Art 15 and 32 apply (``third_party_problems``): the reason and the notice are recorded."""
    request = _take_step(request, actor, steps.request_reply_problems)
    start = request.correction_answered_on or request.received_on
    on = _legal_date(on, label=str(_("答复日期")), not_before=start)
    withheld_parts = [
        {
            "part": (p.get("part") or "").strip(),
            "ground": p.get("ground") or "",
            "reason": (p.get("reason") or "").strip(),
        }
        for p in withheld_parts or []
        if (p.get("part") or p.get("ground") or p.get("reason"))
    ]
    third_party_reason = (third_party_reason or "").strip()
    problems = reply_problems(
        request,
        outcome=outcome,
        letter=letter,
        withheld_parts=withheld_parts,
        referral_organisation=referral_organisation or "",
        deadline=deadline_of(request),
    ) + third_party_problems(
        request,
        outcome=outcome,
        withheld_parts=withheld_parts,
        reason=third_party_reason,
        notified_on=third_party_notified_on,
        replied_on=on,
    )
    if problems:
        raise RequestError(*problems)
    if third_party_notified_on is not None:
        _legal_date(third_party_notified_on, label=str(_("书面告知第三方日期")), not_before=start)
        RequestEvent.objects.create(
            request=request,
            actor=actors.staff_user(actor),
            action=Action.THIRD_PARTY_NOTIFIED,
            on=third_party_notified_on,
            from_status=request.status,
            to_status=request.status,
            note=third_party_reason[:2000],
        )
    before = request.status
    request.status, request.outcome, request.replied_on = Status.REPLIED, outcome, on
    request.reply_letter = letter.strip()
    # The letter's frame is fixed now: its number in the organisation's sequence for the year of the reply, the
    # issuer's full name, and the remedy in force (R25; 行政复议法 Art 23 for a refusal).
    request.reply_number = next_reply_number(request.organisation, on.year)
    request.reply_issuer = request.organisation.name
    request.reply_remedy = remedy_text(request, outcome=outcome)
    request.withheld_parts = withheld_parts if outcome == Outcome.PARTIAL else []
    request.referral_organisation = (
        (referral_organisation or "").strip() if outcome == Outcome.NOT_HELD_REFERRAL else ""
    )
    request.referral_contact = (referral_contact or "").strip() if outcome == Outcome.NOT_HELD_REFERRAL else ""
    _store_files(request, files, kind=RequestFile.Kind.REPLY)
    late = request.due_on is not None and on > request.due_on
    _record(
        request,
        actor=actor,
        action=Action.REPLIED,
        on=on,
        before=before,
        note=Outcome(outcome).label
        + f"（{request.reply_number}）"
        + (_("（逾期答复）") if late else "")
        + (_("；涉及第三方的理由：%(r)s") % {"r": third_party_reason} if third_party_reason else ""),
        fields=[
            "status",
            "outcome",
            "replied_on",
            "reply_letter",
            "reply_number",
            "reply_issuer",
            "reply_remedy",
            "withheld_parts",
            "referral_organisation",
            "referral_contact",
        ],
    )
    _tell_applicant(
        request,
        key="replied",
        subject=_("申请已答复"),
        body=_("本机关已于 %(d)s 答复您的申请，答复书和所附文件可在查询页面查看和下载。") % {"d": on},
    )
    return request


@transaction.atomic
def request_close(*, request: InformationRequest, actor: Actor, note: str = "") -> InformationRequest:
    """After delivery of the reply the case is closed (办结); review and litigation can still be recorded."""
    request = _take_step(request, actor, steps.request_close_problems)
    before = request.status
    request.status, request.closed_on = Status.CLOSED, timezone.localdate()
    _record(
        request,
        actor=actor,
        action=Action.CLOSED,
        on=request.closed_on,
        before=before,
        fields=["status", "closed_on"],
        note=(note or "").strip(),
    )
    return request


@transaction.atomic
def request_withdraw(
    *, request: InformationRequest, actor: Actor, note: str = "", on: dt.date | None = None
) -> InformationRequest:
    """The applicant withdraws (on the status page, or by telling the office); counted as 其他处理 (R31)."""
    request = _take_step(request, actor, steps.request_withdraw_problems)
    on = _legal_date(on, label=str(_("撤回日期")))
    before = request.status
    request.status, request.outcome, request.closed_on = Status.WITHDRAWN, Outcome.OTHER, on
    note = (note or "").strip() or (
        _("申请人在网上撤回申请") if isinstance(actor, actors.Applicant) else _("申请人撤回申请")
    )
    _record(
        request,
        actor=actor,
        action=Action.WITHDRAWN,
        on=on,
        before=before,
        fields=["status", "outcome", "closed_on"],
        note=note[:500],
    )
    notify_once(
        key=f"request:{request.pk}:withdrawn",
        recipients=handler_emails(request),
        subject=_("申请已撤回：%(code)s") % {"code": request.tracking_code},
        body=note,
    )
    return request


was_reopened = steps.was_reopened


@transaction.atomic
def request_reopen(*, request: InformationRequest, actor: Actor, reason: str) -> InformationRequest:
    """Art 30: the applicant shows a 正当理由 for the late correction (a postal delay, say); the office reopens the
    case once, keeping its original dates. The corrected application is then recorded on the day it really
    arrived, and the reply clock restarts from that day (R22); the sweep never abandons a reopened case again."""
    request = _take_step(request, actor, steps.request_reopen_problems)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise RequestError(_("请写明申请人逾期补正的正当理由（至少 4 个字）。"))
    before = request.status
    request.status, request.outcome, request.closed_on = Status.AWAITING_CORRECTION, "", None
    _record(
        request,
        actor=actor,
        action=Action.REOPENED,
        on=timezone.localdate(),
        before=before,
        fields=["status", "outcome", "closed_on"],
        note=reason[:2000],
    )
    _tell_applicant(
        request,
        key="reopened",
        subject=_("申请已重新开启"),
        body=_(
            "本机关认可您逾期补正的理由，已重新开启您的申请。请尽快提交补正材料；答复期限自收到补正材料之日起计算。"
        ),
    )
    return request


@transaction.atomic
def request_abandon(*, request: InformationRequest, actor: Actor, today: dt.date | None = None) -> InformationRequest:
    """视为放弃: no correction within the period (Art 30) or no payment by the notice's deadline (109号). Run by
    the sweep once the period has passed; refuses while it runs."""
    request = _take_step(request, actor, steps.request_abandon_problems)
    today = today or timezone.localdate()
    deadline = deadline_of(request, today=today)
    if (
        request.status == Status.AWAITING_CORRECTION
        and deadline.correction_due
        and today > deadline.correction_due
        and not was_reopened(request)
    ):
        outcome, note = Outcome.NO_CORRECTION, _("补正期限 %(d)s 届满未补正") % {"d": deadline.correction_due}
    elif (
        request.status == Status.ACCEPTED
        and request.fee_notified_on
        and not request.fee_paid_on
        and deadline.fee_due
        and today > deadline.fee_due
    ):
        outcome, note = Outcome.FEE_UNPAID, _("缴费期限 %(d)s 届满未缴费") % {"d": deadline.fee_due}
    else:
        raise RequestError(Problem("not_lapsed", _("补正或缴费期限尚未届满，不能视为放弃。")))
    before = request.status
    request.status, request.outcome, request.closed_on = Status.ABANDONED, outcome, today
    _record(
        request,
        actor=actor,
        action=Action.ABANDONED,
        on=today,
        before=before,
        fields=["status", "outcome", "closed_on"],
        note=note,
    )
    _tell_applicant(
        request,
        key="abandoned",
        subject=_("申请视为放弃"),
        body=_("%(note)s，本机关不再处理您的申请。") % {"note": note},
    )
    return request


# --- Review and litigation (R29) ------------------------------------------------------------------------------------


def review_case_problems(case: ReviewCase, request: InformationRequest | None = None) -> list[str]:
    """R29: what is wrong with a review or litigation record, one sentence each (the admin form shows them)."""
    return [str(p) for p in _review_case_problems(case, request)]


def _review_case_problems(case: ReviewCase, request: InformationRequest | None = None) -> list[Problem | str]:
    """``review_case_problems`` with their codes. ``request`` is the case as it stands (locked by the caller when
    saving); by default the record's own.

    About a reply (答复或处理决定): the case must have been replied to or otherwise handled, and the review filed
    after that. About a failure to reply (未按期答复): the case must still be open, or have been replied to after
    its due date. About another act of the organisation: no case is needed."""
    if request is None and case.request_id:
        request = case.request
    Subject = ReviewCase.Subject
    problems: list[Problem | str] = []
    if request is None and case.subject != Subject.OTHER_ACT:
        problems.append(
            Problem(
                "request_missing",
                _("针对答复或未按期答复的复议或诉讼，请选择所涉申请；针对其他政府信息公开行为的，请选择相应事项。"),
                "request",
            )
        )
    if request is not None and case.organisation_id and case.organisation_id != request.organisation_id:
        problems.append(_("被申请机关应为该申请的受理机关。"))
    if (
        request is not None
        and case.subject == Subject.REPLY
        and request.status not in (Status.REPLIED, Status.CLOSED, Status.ABANDONED)
    ):
        problems.append(
            Problem(
                "not_replied",
                _("只能对已答复或已处理的申请记录针对答复的行政复议或诉讼；尚未答复的，请选择“未按期答复”。"),
                "subject",
            )
        )
    today = timezone.localdate()
    if request is not None and case.subject == Subject.NO_REPLY:
        late = request.due_on is not None and (request.replied_on or today) > request.due_on
        if not (request.is_open or late):
            problems.append(
                Problem(
                    "replied_in_time",
                    _("该申请已在答复期限内答复，不能记录针对未按期答复的复议或诉讼。"),
                    "subject",
                )
            )
    if case.kind == ReviewCase.Kind.REVIEW and case.after_review:
        problems.append(Problem("after_review_litigation_only", _("“复议后起诉”只适用于行政诉讼。"), "after_review"))
    floor = None
    if request is not None:
        floor = (
            request.replied_on or request.closed_on
            if case.subject == Subject.REPLY
            else request.received_on or timezone.localtime(request.submitted_at).date()
        )
    if case.filed_on and (case.filed_on > today or (floor and case.filed_on < floor)):
        problems.append(
            _("立案（受理）日期应在答复之后、今天之前。")
            if case.subject == Subject.REPLY
            else _("立案（受理）日期应在申请之后、今天之前。")
        )
    if case.result != ReviewCase.Result.PENDING and not case.concluded_on:
        problems.append(Problem("concluded_on_missing", _("已审结的，请填写审结日期。"), "concluded_on"))
    if case.result == ReviewCase.Result.PENDING and case.concluded_on:
        problems.append(_("尚未审结的，请不要填写审结日期。"))
    if case.concluded_on and (case.concluded_on > today or (case.filed_on and case.concluded_on < case.filed_on)):
        problems.append(_("审结日期应在立案之后、今天之前。"))
    return problems


@transaction.atomic
def review_case_save(*, case: ReviewCase, actor: StaffOrSystem) -> ReviewCase:
    """Record or update a 行政复议 / 行政诉讼 (R29) against an organisation: about a reply, a failure to reply, or
    another act. With a case, the organisation is the case's and the case's handlers may record it; without one,
    the organisation's handlers and the office."""
    request = _locked(case.request) if case.request_id else None
    if request is not None:
        case.organisation = request.organisation
        _may(lambda user: permissions.can_record_review(user, request), actor)
    else:
        if not case.organisation_id:
            raise RequestError(_("请选择被申请机关。"))
        _may(lambda user: permissions.registrable_organisations(user).filter(pk=case.organisation_id).exists(), actor)
    problems = _review_case_problems(case, request)
    if problems:
        raise RequestError(*problems)
    created = case.pk is None
    save_checked(case, actor=actor)
    if request is not None:
        note = f"{case.get_kind_display()} {case.case_number}：{case.get_result_display()}"
        RequestEvent.objects.create(
            request=request,
            actor=actors.staff_user(actor),
            action=Action.REVIEW_RECORDED,
            on=case.concluded_on or case.filed_on,
            from_status=request.status,
            to_status=request.status,
            note=("" if created else _("更新：")) + note,
        )
    return case


# --- Reply letter templates ---------------------------------------------------------------------------------------


def letter_template_problems(template: LetterTemplate, *, for_preview: bool = False) -> list[str]:
    problems = []
    if not (template.body or "").strip():
        problems.append(_("请填写模板正文。"))
    unknown = unknown_placeholders(template.body)
    if unknown:
        problems.append(
            _("模板中有无法识别的占位符：%(names)s。可用的占位符见下方说明；不是占位符的文字请不要加花括号。")
            % {"names": "、".join("{" + name + "}" for name in unknown)}
        )
    duplicate = LetterTemplate.objects.filter(kind=template.kind, organisation=template.organisation).exclude(
        pk=template.pk
    )
    if template.kind and not for_preview and duplicate.exists():
        problems.append(_("该机构的这一类型已有模板，请修改已有的模板。"))
    return problems


@transaction.atomic
def letter_template_save(*, template: LetterTemplate, actor: StaffOrSystem) -> LetterTemplate:
    """The office words one part of the 答复书 for every organisation or for one. Letters already issued keep
    their words: a reply stores its body and remedy as sent."""
    _may(lambda user: permissions.can_edit_letter_templates(user), actor)
    template.body = "\n".join(line.rstrip() for line in (template.body or "").strip().splitlines())
    problems = letter_template_problems(template)
    if problems:
        raise RequestError(*problems)
    template.updated_by = actors.staff_user(actor)
    return save_checked(template, actor=actor)


@transaction.atomic
def letter_template_delete(*, template: LetterTemplate, actor: StaffOrSystem) -> None:
    """Back to the wording below it: the office's default for an organisation's template, else the built-in one."""
    _may(lambda user: permissions.can_edit_letter_templates(user), actor)
    template._history_user = actors.staff_user(actor)
    template.delete()


# --- The deadline cache and the sweep ---------------------------------------------------------------------------------


def request_deadline_refresh(*, request: InformationRequest, deadline: Deadline) -> bool:
    """Store the derived deadline when it moved (a consultation day passed, a calendar year was loaded, R2)."""
    touched = _refresh_cache(request, deadline)
    if not touched:
        return False
    InformationRequest.objects.filter(pk=request.pk).update(**{name: getattr(request, name) for name in touched})
    return True


# --- Art 44 (R28) ---------------------------------------------------------------------------------------------------


@transaction.atomic
def art44_propose(*, cluster: Any, actor: StaffOrSystem, note: str = "") -> str:
    """One step from a cluster of repeated requests to a proposal to make the information proactive: an 依申请公开
    document linked to the cases goes back to review as 主动公开; otherwise the organisation's drafters and
    reviewers are asked to publish it. Returns what was done, in Chinese."""
    _may(lambda user: permissions.can_propose_art44(user, cluster.organisation), actor)
    codes = "、".join(r.tracking_code for r in cluster.requests)
    reason = (note or "").strip() or _(
        "《条例》第四十四条：%(n)s 件申请（%(codes)s）要求获取同一政府信息，建议转为主动公开。"
    ) % {"n": len(cluster.requests), "codes": codes}
    document = cluster.document
    if (
        document is not None
        and document.status == Document.Status.APPROVED
        and document.attribute == Document.Attribute.ON_REQUEST
    ):
        try:
            document_reconsider(document=document, actor=actor, note=reason)
        except DocumentError as exc:
            raise RequestError(*exc.problems) from exc
        return _("已将《%(t)s》提交审核，拟转为主动公开。") % {"t": document.title}
    recipients = role_member_emails(cluster.organisation, Role.DRAFTER) + role_member_emails(
        cluster.organisation, Role.REVIEWER
    )
    created = notify_once(
        key=f"art44:{cluster.key}",
        recipients=recipients,
        subject=_("建议主动公开：%(s)s") % {"s": cluster.summary[:60]},
        body=reason + "\n" + _("所需信息：%(s)s") % {"s": cluster.summary},
    )
    if not created:
        raise RequestError(Problem(DUPLICATE, _("已就这组申请提出过建议。")))
    return _("已通知%(org)s的拟稿人和审核人，建议主动公开该信息。") % {"org": cluster.organisation.display_name}
