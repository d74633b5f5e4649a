"""What each step of an application needs before anything is typed: who may take it and in which state of the case
(R21–R29). One pure check per step, ``<step>_problems(request, actor)``, returning the refusals as coded problems.

The services call them first, under the row lock, and refuse with what they return; ``available_actions`` asks all
of them and feeds the admin's buttons and action pages, so a button shows exactly when the service would accept the
step (input aside). The actor is typed (core.actors): a staff user is checked against the permission pairs, the
``System`` asks no permission, an ``Applicant`` may take only the applicant's steps on their own case, and ``None``
is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from core import actors, workflow
from core.actors import Actor, User
from core.errors import Problem, forbidden, wrong_state
from requests_app import permissions
from requests_app.models import InformationRequest, Outcome, RequestEvent

Status = InformationRequest.Status
Check = Callable[[InformationRequest, Any], list[Problem]]


def _role(allowed: Callable[[User], bool], actor: Actor) -> list[Problem]:
    """A staff step: the system may take it, an applicant never, a staff user when the permission pair says so
    (asked only for a user)."""
    return [] if workflow.permitted(allowed, actor) else [forbidden(_("您没有办理该申请这一操作的权限。"))]


def _applicant_or_role(request: InformationRequest, actor: Actor, allowed: Callable[[User], bool]) -> list[Problem]:
    """A step the applicant may take on their own case, and staff who may act on it."""
    if isinstance(actor, actors.Applicant):
        return [] if actor.request_id == request.pk else [forbidden(_("您没有办理该申请这一操作的权限。"))]
    return _role(allowed, actor)


def _state(request: InformationRequest, *statuses: str) -> list[Problem]:
    if request.status in statuses:
        return []
    return [
        wrong_state(_("该申请当前状态为“%(status)s”，不能进行这一操作。") % {"status": request.get_status_display()})
    ]


def _handling(request: InformationRequest, actor: Actor, *statuses: str) -> list[Problem]:
    """A handler's step: the actor handles this organisation's applications, then the case is in one of ``statuses``
    (any state when none are given)."""
    problems = _role(lambda user: permissions.can_handle_request(user, request), actor)
    return problems or (_state(request, *statuses) if statuses else [])


def request_accept_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor, Status.SUBMITTED)


def request_assign_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor, *InformationRequest.OPEN_STATUSES, Status.REPLIED)


def request_link_document_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor)


def request_correction_ask_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _handling(request, actor, Status.ACCEPTED)
    if not problems and request.correction_requested_on:
        problems.append(
            Problem(
                "correction_once",
                _("补正只能告知一次（《条例》第三十条），本申请已于 %(d)s 告知过补正。")
                % {"d": request.correction_requested_on},
            )
        )
    return problems


def request_correction_answer_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    """The applicant sends the correction through the status page, or a handler records one that came on paper."""
    problems = _applicant_or_role(request, actor, lambda user: permissions.can_handle_request(user, request))
    return problems or _state(request, Status.AWAITING_CORRECTION)


def request_consultation_start_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor, Status.ACCEPTED)


def request_consultation_answer_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _handling(request, actor, Status.ACCEPTED)
    if not problems and not request.consultations.filter(answered_on__isnull=True).exists():
        problems.append(Problem("no_open_consultation", _("没有等待对方意见的征求意见。")))
    return problems


def request_extension_propose_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _handling(request, actor, Status.ACCEPTED)
    if not problems and (request.extension_days or request.extension_pending):
        problems.append(
            Problem("extension_once", _("答复期限只能延长一次（《条例》第三十三条），本申请已申请或已延期。"))
        )
    return problems


def request_extension_decide_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    """Approving and declining alike: the office's head, a case still running, an extension asked for."""
    problems = _role(lambda user: permissions.can_approve_extension(user, request), actor) or _state(
        request, Status.ACCEPTED
    )
    if not problems and not request.extension_pending:
        problems.append(Problem("no_extension_pending", _("没有待审批的延期申请。")))
    return problems


def request_fee_notice_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _handling(request, actor, Status.ACCEPTED)
    if not problems and request.fee_notified_on:
        problems.append(Problem("fee_once", _("本申请已发出过收费通知。")))
    return problems


def request_fee_paid_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _handling(request, actor, Status.ACCEPTED)
    if not problems and (not request.fee_notified_on or request.fee_paid_on):
        problems.append(Problem("no_fee_due", _("本申请没有待缴的费用。")))
    return problems


def request_reply_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor, Status.ACCEPTED)


def request_close_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    return _handling(request, actor, Status.REPLIED)


def request_withdraw_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    """The applicant withdraws through the status page, or a handler records a withdrawal made otherwise."""
    problems = _applicant_or_role(request, actor, lambda user: permissions.can_handle_request(user, request))
    return problems or _state(request, *InformationRequest.OPEN_STATUSES)


def was_reopened(request: InformationRequest) -> bool:
    return request.events.filter(action=RequestEvent.Action.REOPENED).exists()


def request_reopen_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    problems = _role(lambda user: permissions.can_reopen_request(user, request), actor)
    if problems:
        return problems
    if request.status != Status.ABANDONED or request.outcome != Outcome.NO_CORRECTION:
        return [wrong_state(_("只有因逾期未补正而视为放弃的申请可以重新开启。"))]
    if was_reopened(request):
        return [Problem("reopen_once", _("该申请已重新开启过一次，不能再次开启。"))]
    return []


def request_abandon_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    """视为放弃 is the deadline sweep's to record (Art 30, 109号), never a person's."""
    actors.require(actor)
    if not isinstance(actor, actors.System):
        return [forbidden(_("视为放弃由系统在期限届满后自动记录。"))]
    return []


def review_case_record_problems(request: InformationRequest, actor: Actor) -> list[Problem]:
    """A 行政复议 or 诉讼 about any case but a withdrawn one: after a reply about the reply, before one about the
    failure to reply (R29)."""
    problems = _role(lambda user: permissions.can_record_review(user, request), actor)
    if not problems and request.status == Status.WITHDRAWN:
        problems = _state(request, *[s for s in Status.values if s != Status.WITHDRAWN])
    return problems


# The staff steps the admin offers, by the name of their action page (admin/govopen/action.html, the one action page).
STEPS: dict[str, Check] = {
    "accept": request_accept_problems,
    "assign": request_assign_problems,
    "link": request_link_document_problems,
    "correction": request_correction_ask_problems,
    "correction_answer": request_correction_answer_problems,
    "consult": request_consultation_start_problems,
    "consult_answer": request_consultation_answer_problems,
    "extension": request_extension_propose_problems,
    "extension_decide": request_extension_decide_problems,
    "fee": request_fee_notice_problems,
    "fee_paid": request_fee_paid_problems,
    "reply": request_reply_problems,
    "close": request_close_problems,
    "withdraw": request_withdraw_problems,
    "reopen": request_reopen_problems,
    "review": review_case_record_problems,
}


def available_actions(request: InformationRequest, user: Any) -> list[str]:
    """The steps ``user`` may take on ``request`` now, in the admin's order: the one answer to "which buttons"."""
    return [name for name, check in STEPS.items() if not check(request, user)]
