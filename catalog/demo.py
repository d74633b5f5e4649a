"""Demo organisations, staff accounts and the calendar. Idempotent: running it again changes nothing.

The issuing bodies are those of the seed documents (shared/seeds); contact details are invented for the demo.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from catalog.models import Organisation
from catalog.roles import OfficeRole, Role
from catalog.services import calendar_load_package, office_role_grant, organisation_save, role_grant

HOURS = "工作日上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）"

# (code, name, short name, kind, parent code, office, address, postcode, phone, fax, email)
ORGANISATIONS = [
    ("XM00001", "厦门市人民政府", "厦门市政府", "government", None, "厦门市人民政府办公厅政务公开办公室",
     "厦门市思明区演示路 1 号", "361000", "0592-0000100", "0592-0000101", "gk@xm.example.org"),
    ("XM00126", "厦门市规划委员会", "市规划委", "department", "XM00001", "厦门市规划委员会办公室",
     "厦门市思明区演示路 126 号", "361000", "0592-0000126", "0592-0000127", "ghw@xm.example.org"),
    ("XM00135", "厦门市城市管理行政执法局", "市执法局", "department", "XM00001", "厦门市城市管理行政执法局办公室",
     "厦门市湖里区演示路 135 号", "361000", "0592-0000135", "0592-0000136", "zfj@xm.example.org"),
    ("FZ00001", "福州市人民政府", "福州市政府", "government", None, "福州市人民政府办公厅政务公开办公室",
     "福州市鼓楼区演示路 1 号", "350000", "0591-0000100", "0591-0000101", "gk@fz.example.org"),
    ("FZ00118", "福州市统计局", "市统计局", "department", "FZ00001", "福州市统计局办公室",
     "福州市鼓楼区演示路 118 号", "350000", "0591-0000118", "0591-0000119", "tjj@fz.example.org"),
    ("HX00001", "和县人民政府", "和县政府", "government", None, "和县人民政府办公室政务公开股",
     "安徽省马鞍山市和县演示路 1 号", "238200", "0555-0000100", "0555-0000101", "gk@hx.example.org"),
    ("HX00101", "历阳镇人民政府", "历阳镇", "government", "HX00001", "历阳镇党政办公室",
     "和县历阳镇演示路 101 号", "238200", "0555-0000111", "0555-0000112", "lyz@hx.example.org"),
]

# What each organisation's reply letters carry (Art 36; 行政复议法 Art 24; 行政诉讼法 Art 14–18): the 文号 代字, the
# 行政复议机关 (the government at the same level for a department, the one above for a government) and the court.
LETTER_SETTINGS = {
    "XM00001": ("厦府信公开答", "福建省人民政府", "厦门市中级人民法院"),
    "XM00126": ("厦规委依公开", "厦门市人民政府", "厦门市思明区人民法院"),
    "XM00135": ("厦执法依公开", "厦门市人民政府", "厦门市湖里区人民法院"),
    "FZ00001": ("榕政信公开答", "福建省人民政府", "福州市中级人民法院"),
    "FZ00118": ("榕统依公开", "福州市人民政府", "福州市鼓楼区人民法院"),
    "HX00001": ("和政信公开答", "马鞍山市人民政府", "马鞍山市中级人民法院"),
    "HX00101": ("历阳镇依公开", "和县人民政府", "和县人民法院"),
}

ORG_A = "XM00135"  # the persona organisation A of the demo and the tests
ORG_B = "FZ00118"

# (username, display name, e-mail, superuser, office role, [(organisation code, role)])
ACCOUNTS = [
    ("admin", "系统管理员", "admin@example.org", True, None, []),
    ("office", "政务公开办 王敏", "office@example.org", False, OfficeRole.OFFICE, []),
    ("office_head", "政务公开办负责人 陈立", "office-head@example.org", False, OfficeRole.HEAD, []),
    ("drafter", "拟稿人 李娜", "drafter@example.org", False, None, [(ORG_A, Role.DRAFTER)]),
    ("reviewer", "审核人 张强", "reviewer@example.org", False, None, [(ORG_A, Role.REVIEWER)]),
    ("handler", "承办人 刘洋", "handler@example.org", False, None, [(ORG_A, Role.HANDLER)]),
    ("drafter_b", "拟稿人 赵静", "drafter-b@example.org", False, None, [(ORG_B, Role.DRAFTER)]),
]


@dataclass
class DemoAccount:
    username: str
    display_name: str
    password: str | None  # None when the account existed and its password was kept


def load_organisations() -> dict[str, Organisation]:
    by_code: dict[str, Organisation] = {}
    for order, row in enumerate(ORGANISATIONS):
        code, name, short, kind, parent, office, address, postcode, phone, fax, email = row
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            organisation = Organisation(
                code=code, name=name, short_name=short, kind=kind, parent=by_code.get(parent) if parent else None,
                sort_order=(order + 1) * 10, office_name=office, address=address, postcode=postcode,
                office_hours=HOURS, phone=phone, fax=fax, email=email,
            )
            organisation_save(organisation=organisation, actor=None, reason="演示数据")
        if code in LETTER_SETTINGS and not organisation.letter_code:
            organisation.letter_code, organisation.review_body, organisation.court = LETTER_SETTINGS[code]
            organisation_save(organisation=organisation, actor=None, reason="演示数据：答复书文号和救济途径")
        by_code[code] = organisation
    return by_code


def load_accounts(organisations: dict[str, Organisation], *, reset_passwords: bool) -> list[DemoAccount]:
    User = get_user_model()
    accounts = []
    for username, display, email, superuser, office_role, roles in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = None
        if user is None or reset_passwords:
            password = secrets.token_urlsafe(9)
        if user is None:
            family, given = display.split()[-1][0], display.split()[-1][1:]
            user = User(username=username, email=email, last_name=family, first_name=given)
            user.is_staff = True
            user.is_superuser = superuser
        if password:
            user.set_password(password)
        user.save()
        if office_role:
            office_role_grant(user=user, role=office_role, actor=None)
        for code, role in roles:
            role_grant(organisation=organisations[code], user=user, role=role, actor=None)
        accounts.append(DemoAccount(username, display, password))
    return accounts


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    report = calendar_load_package()
    write(f"工作日历：{report}")
    organisations = load_organisations()
    write(f"机构：{len(organisations)} 个")
    accounts = load_accounts(organisations, reset_passwords=reset_passwords)
    write("演示账号（密码只在创建或重置时显示一次）：")
    for account in accounts:
        shown = account.password or "（已存在，密码未改变；用 load_demo --reset-passwords 重置）"
        write(f"  {account.username:<12} {account.display_name:<16} {shown}")
