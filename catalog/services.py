"""Every write to organisations, roles and the calendar. Views, the admin, tasks and commands call these."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission
from simple_history.utils import bulk_create_with_history

from catalog.models import (
    CalendarDay,
    CatalogueNode,
    NilNotice,
    Organisation,
    RoleEvent,
    RoleGroup,
    Topic,
    WorkCalendarYear,
)
from catalog.permissions import forget_roles
from catalog.roles import OFFICE_PERMISSIONS, ROLE_PERMISSIONS, OfficeRole, Role
from core import actors
from core.actors import StaffOrSystem
from core.errors import Problem, Problems
from core.pubversion import publication_changed
from core.records import save_checked

logger = logging.getLogger(__name__)


class CatalogError(Problems):
    """A request that the rules do not allow (core.errors); the message is for the user."""


# --- Organisations and roles ------------------------------------------------------------------------------------


def _role_group_name(organisation: Organisation, role: str) -> str:
    return f"{organisation.code} {organisation.name} · {Role(role).label}"


@transaction.atomic
def organisation_save(*, organisation: Organisation, actor: StaffOrSystem, reason: str = "") -> Organisation:
    """Create or update an organisation and make sure its three role groups exist and carry their permissions."""
    actors.require(actor)
    organisation.full_clean()
    organisation._change_reason = reason or (_("修改机构信息") if organisation.pk else _("新建机构"))
    organisation._history_user = actors.staff_user(actor)
    organisation.save()
    role_groups_ensure(organisation=organisation)
    publication_changed()  # everywhere: names, the tree and 公开主体 appear on every organisation's pages
    return organisation


def role_groups_ensure(*, organisation: Organisation) -> dict[str, Group]:
    """Idempotent: one group per role holding that role's object permission on ``organisation``. A new organisation's
    three groups, their links and their permissions are written with one statement each."""
    existing = {rg.role: rg for rg in RoleGroup.objects.filter(organisation=organisation).select_related("group")}
    groups: dict[str, Group] = {}
    for role in Role:
        role_group = existing.get(role.value)
        if role_group is None:
            continue
        group = role_group.group
        name = _role_group_name(organisation, role)
        if group.name != name:  # the organisation was renamed or recoded
            group.name = name
            group.save(update_fields=["name"])
        groups[role.value] = group
    missing = [role for role in Role if role.value not in groups]
    if not missing:
        return groups
    names = {role.value: _role_group_name(organisation, role) for role in missing}
    found = {group.name: group for group in Group.objects.filter(name__in=names.values())}
    created = Group.objects.bulk_create([Group(name=name) for name in names.values() if name not in found])
    found.update({group.name: group for group in created})
    RoleGroup.objects.bulk_create(
        [RoleGroup(organisation=organisation, role=role, group=found[names[role.value]]) for role in missing]
    )
    content_type = ContentType.objects.get_for_model(Organisation)
    permissions = {
        permission.codename: permission
        for permission in Permission.objects.filter(
            content_type=content_type, codename__in=[ROLE_PERMISSIONS[role] for role in missing]
        )
    }
    GroupObjectPermission.objects.bulk_create(
        [
            GroupObjectPermission(
                group=found[names[role.value]],
                permission=permissions[ROLE_PERMISSIONS[role]],
                content_type=content_type,
                object_pk=str(organisation.pk),
            )
            for role in missing
        ],
        ignore_conflicts=True,  # a group of that name already held it
    )
    for role in missing:
        groups[role.value] = found[names[role.value]]
    return {role.value: groups[role.value] for role in Role}


@transaction.atomic
def role_grant(*, organisation: Organisation, user: AbstractBaseUser, role: str, actor: StaffOrSystem) -> bool:
    """Give ``user`` the ``role`` at ``organisation``; returns False when the user already had it."""
    actors.require(actor)
    group = role_groups_ensure(organisation=organisation)[Role(role).value]
    if group.user_set.filter(pk=user.pk).exists():
        return False
    group.user_set.add(user)
    forget_roles(user)
    _make_staff(user)
    RoleEvent.objects.create(
        actor=actors.staff_user(actor), user=user, organisation=organisation, role=role, action=RoleEvent.Action.GRANTED
    )
    return True


@transaction.atomic
def role_revoke(*, organisation: Organisation, user: AbstractBaseUser, role: str, actor: StaffOrSystem) -> bool:
    actors.require(actor)
    group = role_groups_ensure(organisation=organisation)[Role(role).value]
    if not group.user_set.filter(pk=user.pk).exists():
        return False
    group.user_set.remove(user)
    forget_roles(user)
    RoleEvent.objects.create(
        actor=actors.staff_user(actor), user=user, organisation=organisation, role=role, action=RoleEvent.Action.REVOKED
    )
    return True


@transaction.atomic
def role_members_set(
    *, organisation: Organisation, role: str, users: Iterable[AbstractBaseUser], actor: StaffOrSystem
) -> None:
    """Make exactly ``users`` hold ``role`` at ``organisation``, recording each grant and revocation."""
    actors.require(actor)
    group = role_groups_ensure(organisation=organisation)[Role(role).value]
    wanted = {user.pk: user for user in users}
    current = {user.pk: user for user in group.user_set.all()}
    for pk in wanted.keys() - current.keys():
        role_grant(organisation=organisation, user=wanted[pk], role=role, actor=actor)
    for pk in current.keys() - wanted.keys():
        role_revoke(organisation=organisation, user=current[pk], role=role, actor=actor)


def office_group(role: str) -> Group:
    """The global group of an office role, created with its permission on first use."""
    role = OfficeRole(role)
    group, _created = Group.objects.get_or_create(name=role.label)
    app_label, codename = OFFICE_PERMISSIONS[role].split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    group.permissions.add(permission)
    return group


@transaction.atomic
def office_role_grant(*, user: AbstractBaseUser, role: str, actor: StaffOrSystem) -> bool:
    """Make ``user`` a member of the disclosure office (``head`` implies ``office``)."""
    actors.require(actor)
    roles = [OfficeRole.OFFICE] + ([OfficeRole.HEAD] if role == OfficeRole.HEAD else [])
    granted = False
    for office_role in roles:
        group = office_group(office_role)
        if group.user_set.filter(pk=user.pk).exists():
            continue
        group.user_set.add(user)
        RoleEvent.objects.create(
            actor=actors.staff_user(actor), user=user, role=office_role, action=RoleEvent.Action.GRANTED
        )
        granted = True
    _make_staff(user)
    return granted


@transaction.atomic
def office_role_revoke(*, user: AbstractBaseUser, role: str, actor: StaffOrSystem) -> bool:
    """Take an office role away (``office`` takes the head's role with it: the head is a member of the office)."""
    actors.require(actor)
    roles = [OfficeRole.HEAD] + ([OfficeRole.OFFICE] if role == OfficeRole.OFFICE else [])
    revoked = False
    for office_role in roles:
        group = office_group(office_role)
        if not group.user_set.filter(pk=user.pk).exists():
            continue
        group.user_set.remove(user)
        RoleEvent.objects.create(
            actor=actors.staff_user(actor), user=user, role=office_role, action=RoleEvent.Action.REVOKED
        )
        revoked = True
    return revoked


def _make_staff(user: AbstractBaseUser) -> None:
    # Staff work in the admin; holding any role is what lets them in.
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


# --- Working-day calendar (R1–R2) -------------------------------------------------------------------------------


@dataclass
class CalendarLoadReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    kept_manual: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        for label, years in (
            (_("新载入"), self.created),
            (_("已更新"), self.updated),
            (_("无变化"), self.unchanged),
            (_("保留人工录入"), self.kept_manual),
        ):
            if years:
                parts.append(f"{label} {_format_years(years)}")
        return "；".join(parts) or _("数据包中没有年份")


def _format_years(years: list[int]) -> str:
    if len(years) > 3 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return "、".join(str(y) for y in years)


def package_calendar_years() -> dict[int, dict[dt.date, tuple[str, str]]]:
    """The holiday and make-up days per year that the installed ``chinesecalendar`` package knows."""
    from chinese_calendar import constants

    chinese = {
        "new_years_day": "元旦",
        "spring_festival": "春节",
        "tomb_sweeping_day": "清明节",
        "labour_day": "劳动节",
        "dragon_boat_festival": "端午节",
        "national_day": "国庆节",
        "mid_autumn_festival": "中秋节",
        "anti_fascist_70th_day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }
    # The package maps each date to the holiday's English name (the enum's value).
    names = {holiday.value: chinese.get(holiday.name, holiday.value) for holiday in constants.Holiday}
    years: dict[int, dict[dt.date, tuple[str, str]]] = {}
    for day, holiday in constants.holidays.items():
        years.setdefault(day.year, {})[day] = (CalendarDay.Kind.HOLIDAY, names.get(holiday, holiday))
    for day, holiday in constants.workdays.items():
        years.setdefault(day.year, {})[day] = (
            CalendarDay.Kind.MAKEUP_WORKDAY,
            names.get(holiday, holiday),
        )
    return years


def calendar_load_package(*, actor: StaffOrSystem, force: bool = False) -> CalendarLoadReport:
    """Load every year the package knows, in one transaction. Idempotent; years entered by hand are kept unless
    ``force``."""
    actors.require(actor)
    report = CalendarLoadReport()
    outcomes = calendar_years_replace(
        years=package_calendar_years(),
        source=WorkCalendarYear.Source.PACKAGE,
        actor=actor,
        overwrite_manual=force,
        reason=_("从 chinesecalendar 数据包载入"),
    )
    for year, outcome in sorted(outcomes.items()):
        getattr(report, outcome).append(year)
    return report


def calendar_year_replace(
    *,
    year: int,
    days: dict[dt.date, tuple[str, str]],
    source: str,
    actor: StaffOrSystem,
    overwrite_manual: bool = False,
    notice_number: str = "",
    reason: str = "",
) -> str:
    """Make the stored calendar of ``year`` exactly ``days``; returns created/updated/unchanged/kept_manual."""
    return calendar_years_replace(
        years={year: days},
        source=source,
        actor=actor,
        overwrite_manual=overwrite_manual,
        notice_number=notice_number,
        reason=reason,
    )[year]


@transaction.atomic
def calendar_years_replace(
    *,
    years: dict[int, dict[dt.date, tuple[str, str]]],
    source: str,
    actor: StaffOrSystem,
    overwrite_manual: bool = False,
    notice_number: str = "",
    reason: str = "",
) -> dict[int, str]:
    """Make the stored calendar of each year exactly its ``days``, all or none; returns each year's outcome
    (created/updated/unchanged/kept_manual). The years are read with two queries and their days written with one
    delete and one insert, however many years there are: the package holds more than twenty."""
    actors.require(actor)
    for year, days in years.items():
        for day, (kind, _name) in days.items():
            if day.year != year:
                raise CatalogError(
                    Problem("day_outside_year", _("%(day)s 不在 %(year)s 年内。") % {"day": day, "year": year})
                )
            if kind == CalendarDay.Kind.MAKEUP_WORKDAY and day.weekday() < 5:
                raise CatalogError(
                    Problem("makeup_on_weekday", _("%(day)s 是工作日，不能作为调休上班日。") % {"day": day})
                )
    stored_years = {
        calendar.year: calendar
        for calendar in WorkCalendarYear.objects.select_for_update().filter(year__in=list(years)).order_by("year")
    }
    stored_days: dict[int, dict[dt.date, tuple[str, str]]] = {year: {} for year in stored_years}
    for year, date, kind, name in CalendarDay.objects.filter(calendar__in=list(stored_years.values())).values_list(
        "calendar__year", "date", "kind", "name"
    ):
        stored_days[year][date] = (kind, name)
    user = actors.staff_user(actor)
    outcomes: dict[int, str] = {}
    replaced: list[WorkCalendarYear] = []
    for year, days in sorted(years.items()):
        calendar = stored_years.get(year)
        if calendar is not None and calendar.source == WorkCalendarYear.Source.MANUAL and not overwrite_manual:
            outcomes[year] = "kept_manual"
            continue
        if calendar is None:
            calendar = WorkCalendarYear(year=year, source=source, notice_number=notice_number)
            outcomes[year] = "created"
        elif stored_days[year] == days and calendar.source == source:
            outcomes[year] = "unchanged"
            continue
        else:
            calendar.source = source
            if notice_number:
                calendar.notice_number = notice_number
            outcomes[year] = "updated"
        calendar._change_reason = reason  # type: ignore[attr-defined]
        calendar._history_user = user  # type: ignore[attr-defined]
        calendar.save()  # one history row, and one audit row, per year
        replaced.append(calendar)
    if replaced:
        CalendarDay.objects.filter(calendar__in=replaced).delete()
        bulk_create_with_history(
            [
                CalendarDay(calendar=calendar, date=day, kind=kind, name=name)
                for calendar in replaced
                for day, (kind, name) in sorted(years[calendar.year].items())
            ],
            CalendarDay,
            default_user=user,
            default_change_reason=reason,
        )
    return outcomes


def calendar_missing_next_year(*, today: dt.date) -> int | None:
    """R2: the next year, if it is not loaded and today is past the warning day; otherwise None."""
    month, day = settings.GOVOPEN_NEXT_YEAR_CALENDAR_WARN_FROM
    if (today.month, today.day) < (month, day):
        return None
    next_year = today.year + 1
    if WorkCalendarYear.objects.filter(year=next_year).exists():
        return None
    return next_year


# --- Catalogue and topics ----------------------------------------------------------------------------------------------


@transaction.atomic
def catalogue_node_save(*, node: CatalogueNode, actor: StaffOrSystem) -> CatalogueNode:
    """Create or change a catalogue item (R34); the model's checks keep the tree two levels deep and in one section."""
    actors.require(actor)
    from ops.outbox import outbox_enqueue

    before = CatalogueNode.objects.filter(pk=node.pk).values_list("section", flat=True).first() if node.pk else None
    publication_changed(node.organisation)
    saved = save_checked(node, actor=actor)
    if before is not None and before != saved.section:
        # Search filters and counts by section: the item's documents' entries follow, after commit.
        outbox_enqueue(task="disclosure.tasks.refresh_search_sections", kwargs={"node_id": saved.pk})
    return saved


@transaction.atomic
def nil_notice_save(*, notice: NilNotice, actor: StaffOrSystem) -> NilNotice:
    """Record "本期无" for an item and a period (R35)."""
    actors.require(actor)
    publication_changed(notice.node.organisation)
    return save_checked(notice, actor=actor)


@transaction.atomic
def topic_save(*, topic: Topic, actor: StaffOrSystem) -> Topic:
    actors.require(actor)
    publication_changed()  # topic names show on every organisation's document pages
    return save_checked(topic, actor=actor)
