from __future__ import annotations

from typing import Any

from django import template

from govopen.home import WorkItem, work_for

register = template.Library()


@register.simple_tag(takes_context=True)
def work_today(context: dict[str, Any]) -> list[WorkItem]:
    request = context.get("request")
    return work_for(request.user) if request is not None else []
