"""Demo organisations, staff accounts and the calendar. Idempotent: running it again changes nothing.

The demo is one county government, 示范县人民政府, with its departments and a township; contact details are invented.
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
from core.actors import System

DEMO = System("load_demo")  # who acts when the demo writes through the services

HOURS = "工作日上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）"

# The demo is one county government and its own bodies (all fiction; contact details invented). Its superior city
# is 厦门市, so the 厦门 bodies that issued seeds 000 and 004 are superior bodies; the seeds' other issuers (福州市统计局,
# 历阳镇人民政府) are other regions' bodies whose documents the county publishes for reference (disclosure/demo.py).
# (code, name, short name, kind, parent code, office, address, postcode, phone, fax, email)
ORGANISATIONS = [
    (
        "SF00001",
        "示范县人民政府",
        "县政府",
        "government",
        None,
        "示范县人民政府办公室政务公开股",
        "示范县城关镇演示路 1 号",
        "361100",
        "0592-7000100",
        "0592-7000101",
        "gk@sf.example.org",
    ),
    (
        "SF00126",
        "示范县自然资源和规划局",
        "县自然资源和规划局",
        "department",
        "SF00001",
        "示范县自然资源和规划局办公室",
        "示范县城关镇演示路 126 号",
        "361100",
        "0592-7000126",
        "0592-7000127",
        "zrzy@sf.example.org",
    ),
    (
        "SF00135",
        "示范县城市管理局",
        "县城管局",
        "department",
        "SF00001",
        "示范县城市管理局办公室",
        "示范县城关镇演示路 135 号",
        "361100",
        "0592-7000135",
        "0592-7000136",
        "cgj@sf.example.org",
    ),
    (
        "SF00118",
        "示范县统计局",
        "县统计局",
        "department",
        "SF00001",
        "示范县统计局办公室",
        "示范县城关镇演示路 118 号",
        "361100",
        "0592-7000118",
        "0592-7000119",
        "tjj@sf.example.org",
    ),
    (
        "SF00201",
        "示范县城关镇人民政府",
        "城关镇",
        "government",
        "SF00001",
        "城关镇党政综合办公室",
        "示范县城关镇演示路 201 号",
        "361100",
        "0592-7000201",
        "0592-7000202",
        "cgz@sf.example.org",
    ),
]

# What each organisation's reply letters carry (Art 36; 行政复议法 Art 24; 行政诉讼法 Art 14–18): the 文号 代字, the
# 行政复议机关 (the county government for its departments and the township, the superior city for the county
# government) and the court (the county's court; the intermediate court of the city when the county government is
# the defendant, 行政诉讼法 Art 15).
LETTER_SETTINGS = {
    "SF00001": ("示府信公开答", "厦门市人民政府", "厦门市中级人民法院"),
    "SF00126": ("示自然资规依公开", "示范县人民政府", "示范县人民法院"),
    "SF00135": ("示城管依公开", "示范县人民政府", "示范县人民法院"),
    "SF00118": ("示统依公开", "示范县人民政府", "示范县人民法院"),
    "SF00201": ("城关镇依公开", "示范县人民政府", "示范县人民法院"),
}

GOVERNMENT = "SF00001"  # the demo government, whose name is the site's (GOVOPEN_SITE_NAME)
ORG_A = "SF00135"  # the persona organisation A of the demo and the tests
ORG_B = "SF00118"

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
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                parent=by_code.get(parent) if parent else None,
                sort_order=(order + 1) * 10,
                office_name=office,
                address=address,
                postcode=postcode,
                office_hours=HOURS,
                phone=phone,
                fax=fax,
                email=email,
            )
            organisation_save(organisation=organisation, actor=DEMO, reason="演示数据")
        if code in LETTER_SETTINGS and not organisation.letter_code:
            organisation.letter_code, organisation.review_body, organisation.court = LETTER_SETTINGS[code]
            organisation_save(organisation=organisation, actor=DEMO, reason="演示数据：答复书文号和救济途径")
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
            # 姓名 in one field, as written (accounts' migration 0002)
            user = User(username=username, email=email, first_name=display.split()[-1])
            user.is_staff = True
            user.is_superuser = superuser
        if password:
            user.set_password(password)
        user.save()
        if office_role:
            office_role_grant(user=user, role=office_role, actor=DEMO)
        for code, role in roles:
            role_grant(organisation=organisations[code], user=user, role=role, actor=DEMO)
        accounts.append(DemoAccount(username, display, password))
    return accounts


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    report = calendar_load_package(actor=DEMO)
    write(f"工作日历：{report}")
    organisations = load_organisations()
    write(f"机构：{len(organisations)} 个")
    accounts = load_accounts(organisations, reset_passwords=reset_passwords)
    write("演示账号（密码只在创建或重置时显示一次）：")
    for account in accounts:
        shown = account.password or "（已存在，密码未改变；用 load_demo --reset-passwords 重置）"
        write(f"  {account.username:<12} {account.display_name:<16} {shown}")
