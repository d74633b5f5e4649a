"""Staff roles. Per-organisation roles are guardian object permissions on ``Organisation``, granted through one
group per (organisation, role); the disclosure office roles are global permissions granted through one group each.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DRAFTER = "drafter", _("拟稿人")
    REVIEWER = "reviewer", _("审核人")
    HANDLER = "handler", _("申请承办人")


# Codename of the object permission on catalog.Organisation that each role carries.
ROLE_PERMISSIONS: dict[str, str] = {
    Role.DRAFTER: "act_as_drafter",
    Role.REVIEWER: "act_as_reviewer",
    Role.HANDLER: "act_as_handler",
}


class OfficeRole(models.TextChoices):
    OFFICE = "office", _("政务公开办")
    HEAD = "head", _("政务公开办负责人")


# Global permission (app_label.codename) that each office role carries; the head is also a member of the office.
OFFICE_PERMISSIONS: dict[str, str] = {
    OfficeRole.OFFICE: "catalog.oversee_disclosure",
    OfficeRole.HEAD: "catalog.approve_extension",
}
