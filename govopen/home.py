"""The back office's home: "what needs me today", for whoever signs in. Each line is a count of work the user may
do now, with the link that does it, taken from the same permission pairs and selectors the admin and the services
use; a line appears only for the roles that can act on it, and says "none" rather than disappearing once the role
has it (a reviewer sees that the queue is empty)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audits import permissions as audit_permissions
from audits.models import Finding
from catalog.permissions import (
    has_any_role,
    has_role_anywhere,
    is_disclosure_office,
    is_disclosure_office_head,
)
from catalog.roles import Role
from catalog.workdays import WorkCalendar
from disclosure import permissions as disclosure_permissions
from disclosure.models import Document
from govopen.dashboard import open_clocks
from ops.clocks import OVERDUE, SOON
from requests_app import permissions as request_permissions
from requests_app.clocks import WARN_WORKING_DAYS
from requests_app.models import InformationRequest

URGENT, ROUTINE = "urgent", "routine"


@dataclass(frozen=True)
class WorkItem:
    key: str
    label: str
    count: int
    url: str
    tone: str = ROUTINE  # URGENT when something is late or about to be


def _changelist(name: str, **query: Any) -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def work_for(user: Any) -> list[WorkItem]:
    """The user's work for today, most pressing first within each kind of work."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return []
    items: list[WorkItem] = []
    office = is_disclosure_office(user)
    if office or has_any_role(user):
        now = timezone.now()
        # Reposts, emergencies, annual reports and error reports (few, and short-lived); the applications' clocks
        # are the three request lines below, counted by query.
        states = [clock.state(now) for clock in open_clocks(user, requests=False)]
        clocks = reverse("clocks")
        items.append(
            WorkItem(
                "clocks_overdue",
                _("已逾期的时限（转载、突发事件、年报、网站找错）"),
                states.count(OVERDUE),
                clocks,
                URGENT,
            )
        )
        items.append(
            WorkItem(
                "clocks_soon", _("即将到期的时限（转载、突发事件、年报、网站找错）"), states.count(SOON), clocks, URGENT
            )
        )
    if disclosure_permissions.can_view_review_queue(user):
        items.append(
            WorkItem(
                "review_queue",
                _("待审核的文件"),
                disclosure_permissions.review_queue_documents(user).count(),
                _changelist("disclosure_reviewitem"),
            )
        )
        items.append(
            WorkItem(
                "interpretations",
                _("待审核的政策解读"),
                disclosure_permissions.reviewable_interpretations(user).count(),
                _changelist("disclosure_interpretation", status__exact="in_review"),
            )
        )
        items.append(
            WorkItem(
                "validity",
                _("待审核的有效性变更申请"),
                disclosure_permissions.validity_proposals_to_decide(user).count(),
                _changelist("disclosure_validityproposal", outcome__exact="pending"),
            )
        )
    if disclosure_permissions.creatable_organisations(user).exists() and not office:
        items.append(
            WorkItem(
                "returned",
                _("被退回待修改的文件"),
                disclosure_permissions.editable_documents(user).filter(status=Document.Status.RETURNED).count(),
                _changelist("disclosure_document", status__exact="returned"),
            )
        )
    handleable = request_permissions.handleable_requests(user)
    if office or handleable.exists():
        today = timezone.localdate()
        soon_until = WorkCalendar().add_working_days(today, WARN_WORKING_DAYS).value
        running = handleable.filter(status=InformationRequest.Status.ACCEPTED, clock="running")
        requests_list = "requests_app_informationrequest"
        items += [
            WorkItem(
                "requests_overdue",
                _("已超过答复期限的申请"),
                running.filter(due_on__lt=today).count(),
                _changelist(requests_list, deadline="overdue"),
                URGENT,
            ),
            WorkItem(
                "requests_soon",
                _("3 个工作日内到期的申请"),
                running.filter(due_on__gte=today, due_on__lte=soon_until).count(),
                _changelist(requests_list, deadline="soon"),
                URGENT,
            ),
            WorkItem(
                "requests_new",
                _("待受理的申请"),
                handleable.filter(status=InformationRequest.Status.SUBMITTED).count(),
                _changelist(requests_list, deadline="unaccepted"),
            ),
        ]
    if is_disclosure_office_head(user):
        items.append(
            WorkItem(
                "extensions",
                _("待审批的延期申请"),
                request_permissions.extension_approvable_requests(user).count(),
                _changelist("requests_app_informationrequest", deadline="extension"),
            )
        )
    findings = audit_permissions.workable_findings(user)
    if office or has_role_anywhere(user, Role.REVIEWER):
        items.append(
            WorkItem(
                "findings",
                _("待整改的自查问题"),
                findings.filter(status__in=Finding.ACTIVE_STATUSES).count(),
                _changelist("audits_finding", active="1"),
            )
        )
    reports = audit_permissions.manageable_reports(user)
    if office or audit_permissions.report_organisations(user).exists():
        items.append(
            WorkItem(
                "reports",
                _("未发布的年度报告草稿"),
                reports.exclude(status="published").count(),
                _changelist("audits_annualreport", status__exact="draft"),
            )
        )
    return items
