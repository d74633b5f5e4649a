"""Legal grounds for not disclosing (R7). Each code is also a row of the annual report's Table 三 (R31)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ground(models.TextChoices):
    STATE_SECRET = "state_secret", _("属于国家秘密（第十四条）")
    PROHIBITED_BY_LAW = "prohibited", _("法律、行政法规禁止公开（第十四条）")
    ENDANGERS_SAFETY = "endangers", _("危及国家安全、公共安全、经济安全、社会稳定（第十四条）")
    THIRD_PARTY = "third_party", _("涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害（第十五条）")
    INTERNAL_AFFAIRS = "internal", _("属于人事管理、后勤管理、内部工作流程等内部事务信息（第十六条）")
    PROCESS = "process", _("属于讨论记录、过程稿、磋商信函、请示报告等过程性信息（第十六条）")
    ENFORCEMENT_FILE = "enforcement", _("属于行政执法案卷信息（第十六条）")
    INQUIRY = "inquiry", _("属于行政查询事项（第三十六条第七项）")


# Art 16 grounds yield where a law, regulation or rule requires disclosure (R7); the review form reminds of it.
YIELDING_GROUNDS = {Ground.INTERNAL_AFFAIRS, Ground.PROCESS, Ground.ENFORCEMENT_FILE}
