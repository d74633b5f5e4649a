"""A demo emergency with its public timeline (R19), and one that has just begun with its clocks running. Update
times are set back after publishing (marked below): the demo cannot wait for the hours to pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.demo import ORG_A
from catalog.models import Organisation
from emergencies.models import Emergency, EmergencyUpdate
from emergencies.services import emergency_register, update_draft, update_publish

TIMELINE = [  # (hours after the event, kind, title, body, press conference held hours after the event)
    (
        3,
        "info",
        "关于城区强降雨内涝情况的通报",
        "今日凌晨城区遭遇短时强降雨，部分低洼路段积水。市城市管理局已启动防汛四级应急响应，组织排涝。",
        None,
    ),
    (9, "progress", "城区内涝处置进展（第二期）", "主要道路积水已排除，公交线路恢复运行，暂无人员伤亡报告。", None),
    (
        20,
        "press",
        "示范县召开城区内涝处置新闻发布会",
        "县政府新闻办召开新闻发布会，通报内涝处置情况和下一步防范措施，并回答记者提问。",
        19,
    ),
    (30, "closing", "城区内涝处置工作结束", "经排查，城区积水点全部消除，防汛应急响应终止。", None),
]


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    User = get_user_model()
    drafter, reviewer = User.objects.get(username="drafter"), User.objects.get(username="reviewer")
    organisation = Organisation.objects.get(code=ORG_A)
    if Emergency.objects.filter(organisation=organisation).exists():
        return
    now = timezone.now()
    started = (now - dt.timedelta(days=3)).replace(hour=4, minute=40, second=0, microsecond=0)
    past = emergency_register(
        organisation=organisation,
        actor=drafter,
        title="示范县城区强降雨内涝",
        level="2",
        category="natural",
        started_at=started,
        location="城关镇低洼路段",
    )
    first = None
    for hours, kind, title, body, held in TIMELINE:
        held_at = started + dt.timedelta(hours=held) if held else None
        update = update_draft(emergency=past, actor=drafter, kind=kind, title=title, body=body, held_at=held_at)
        update_publish(update=update, actor=reviewer, confidentiality_checked=True)
        moment = started + dt.timedelta(hours=hours)
        # Historical demo: the update went out ``hours`` after the event.
        EmergencyUpdate.objects.filter(pk=update.pk).update(published_at=moment)
        first = first or moment
    Emergency.objects.filter(pk=past.pk).update(first_info_at=first, closed_at=started + dt.timedelta(hours=30))
    emergency_register(
        organisation=organisation,
        actor=drafter,
        title="示范县某在建工地脚手架坍塌",
        level="2",
        category="accident",
        started_at=now - dt.timedelta(hours=2),
        location="城关镇工业园区",
    )
    write("突发事件：已结束事件 1 件（公开时间线 4 条），处置中事件 1 件（5 小时、24 小时时限计时中）")
