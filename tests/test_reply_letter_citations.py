"""R25: each reply letter template cites the article of the Regulation (Art 2, 14–16, 30, 35–39) that its outcome
rests on — and no other."""

from __future__ import annotations

import pytest

from requests_app.letters import draft_letter
from requests_app.models import Outcome

# Outcome → (an article it must cite, articles it must not cite).
CITATIONS = {
    Outcome.OPEN: ("第三十六条第（二）项", ()),
    Outcome.ALREADY_PUBLIC: ("第三十六条第（一）项", ()),
    Outcome.PARTIAL: ("第三十七条", ()),
    Outcome.WITHHELD_STATE_SECRET: ("第十四条", ()),
    Outcome.WITHHELD_THIRD_PARTY: ("第十五条", ()),
    Outcome.WITHHELD_PROCESS: ("第十六条", ()),
    Outcome.WITHHELD_INQUIRY: ("第三十六条第（七）项", ("决定不予公开", "第三十六条第（三）项")),
    Outcome.NOT_HELD: ("第三十六条第（四）项", ()),
    Outcome.NOT_HELD_REFERRAL: ("第三十六条第（五）项", ()),
    Outcome.NEEDS_CREATION: ("第三十八条", ()),
    Outcome.PETITION: ("第三十九条第一款", ()),
    Outcome.REPEAT: ("第三十六条第（六）项", ()),
    Outcome.PUBLICATION: ("第三十九条第二款", ()),
    Outcome.EXCESSIVE: ("第三十五条", ()),
    # Art 39(2) is about 公开出版物: a confirmation or a re-issued document is not 政府信息 as Art 2 defines it.
    Outcome.CONFIRMATION: ("第二条", ("第三十九条",)),
}


@pytest.mark.parametrize("outcome", list(CITATIONS), ids=str)
def test_r25_each_reply_letter_cites_the_article_its_outcome_rests_on(org_a, handler_a, filed, outcome):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    parts = (
        [{"part": "个人信息", "ground": "third_party", "reason": "涉及第三方"}] if outcome == Outcome.PARTIAL else []
    )
    letter = draft_letter(case, outcome=outcome, withheld_parts=parts, referral_organisation="乙市统计局")
    must, must_not = CITATIONS[outcome]
    assert must in letter, letter
    for wrong in must_not:
        assert wrong not in letter, letter
