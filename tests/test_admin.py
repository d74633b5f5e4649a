"""The admin in Chinese, driven by the permission policies: a drafter of A never sees B's records."""

import pytest
from django.urls import reverse

from catalog.models import RoleEvent, WorkCalendarYear


def test_admin_is_in_chinese(login, office):
    page = login(office).get(reverse("admin:index"))
    assert page.status_code == 200
    assert "政务公开平台管理" in page.content.decode()
    assert "机构与目录" in page.content.decode()


def test_drafter_of_a_sees_only_a(login, drafter_a, org_a, org_b):
    client = login(drafter_a)
    listing = client.get(reverse("admin:catalog_organisation_changelist"))
    assert listing.status_code == 200
    assert org_a.name in listing.content.decode()
    assert org_b.name not in listing.content.decode()
    other = client.get(reverse("admin:catalog_organisation_change", args=[org_b.pk]), follow=True)
    assert org_b.name not in other.content.decode()


def test_drafter_views_but_cannot_change_her_organisation(login, drafter_a, org_a):
    client = login(drafter_a)
    url = reverse("admin:catalog_organisation_change", args=[org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "甲市城市管理局办公室" in page.content.decode()  # the guide contact data is shown read-only
    assert 'name="name"' not in page.content.decode()
    response = client.post(url, {"name": "改名", "code": org_a.code, "kind": "department", "sort_order": 1})
    assert response.status_code == 403
    org_a.refresh_from_db()
    assert org_a.name == "甲市城市管理局"
    assert client.get(reverse("admin:catalog_organisation_add")).status_code == 403


def test_outsider_without_roles_cannot_enter(login, make_user):
    outsider = make_user("outsider", is_staff=True)
    client = login(outsider)
    assert client.get(reverse("admin:catalog_organisation_changelist")).status_code == 403
    assert client.get(reverse("admin:ops_jobrun_changelist")).status_code == 403


def test_office_assigns_roles_in_the_admin(login, office, org_a, make_user):
    newcomer = make_user("newcomer")
    client = login(office)
    url = reverse("admin:catalog_organisation_change", args=[org_a.pk])
    form = {
        "parent": "",
        "name": org_a.name,
        "short_name": "",
        "code": org_a.code,
        "kind": "department",
        "sort_order": "100",
        "is_active": "on",
        "office_name": org_a.office_name,
        "address": org_a.address,
        "postcode": org_a.postcode,
        "office_hours": org_a.office_hours,
        "phone": org_a.phone,
        "fax": org_a.fax,
        "email": org_a.email,
        "website": "",
        "drafters": [str(newcomer.pk)],
        "reviewers": [],
        "handlers": [],
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    from catalog import permissions

    assert permissions.has_role(newcomer, org_a, "drafter")
    assert RoleEvent.objects.filter(user=newcomer, actor=office, action="granted").exists()


def test_bad_organisation_code_is_refused_in_chinese(login, office):
    response = login(office).post(
        reverse("admin:catalog_organisation_add"),
        {"name": "丁局", "code": "丁 局", "kind": "department", "sort_order": "1", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "机构代码只能包含字母、数字和连字符" in response.content.decode()
    assert 'value="丁局"' in response.content.decode()  # what was typed is kept


def test_calendar_is_visible_to_staff_and_edited_by_the_office(login, drafter_a, office, work_calendar):
    drafter = login(drafter_a)
    assert drafter.get(reverse("admin:catalog_workcalendaryear_changelist")).status_code == 200
    assert drafter.get(reverse("admin:catalog_workcalendaryear_add")).status_code == 403
    assert drafter.post(reverse("admin:catalog_workcalendaryear_load_package")).status_code == 302
    assert login(office).get(reverse("admin:catalog_workcalendaryear_add")).status_code == 200


def test_r1_staff_enter_a_later_year_by_hand(login, office, work_calendar):
    client = login(office)
    form = {
        "year": "2027",
        "notice_number": "国办发明电〔2026〕演示号",
        "notice_title": "",
        "notice_published_on": "",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2027-01-01",
        "days-0-kind": "holiday",
        "days-0-name": "元旦",
        "days-1-date": "2027-02-20",
        "days-1-kind": "workday",
        "days-1-name": "春节",
    }
    response = client.post(reverse("admin:catalog_workcalendaryear_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    calendar = WorkCalendarYear.objects.get(year=2027)
    assert calendar.source == "manual"
    assert calendar.days.count() == 2


def test_r1_a_weekday_cannot_be_a_makeup_working_day(login, office, work_calendar):
    form = {
        "year": "2027",
        "notice_number": "",
        "notice_title": "",
        "notice_published_on": "",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2027-02-17",
        "days-0-kind": "workday",
        "days-0-name": "春节",
    }
    response = login(office).post(reverse("admin:catalog_workcalendaryear_add"), form)
    assert response.status_code == 400
    assert "调休上班日必须是周六或周日" in response.content.decode()
    assert not WorkCalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(("today", "warned"), [("2026-11-22", True), ("2026-10-31", False)])
def test_r2_calendar_page_warns_from_1_november_that_next_year_is_missing(
    login, office, work_calendar, clock, today, warned
):
    clock(f"{today} 10:00")
    page = login(office).get(reverse("admin:catalog_workcalendaryear_changelist")).content.decode()
    assert ("2027 年的工作日历尚未录入" in page) is warned


def test_r2_workday_calculator_marks_provisional_results(login, office, work_calendar):
    page = (
        login(office)
        .get(reverse("admin:catalog_workcalendaryear_changelist"), {"start": "2026-12-10", "days": "20"})
        .content.decode()
    )
    assert "2027-01-08" in page
    assert "暂定：2027 年的工作日历尚未录入" in page


def test_workday_calculator_rejects_bad_input(login, office, work_calendar):
    response = login(office).get(
        reverse("admin:catalog_workcalendaryear_changelist"), {"start": "2026-02-30", "days": "-1"}
    )
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()
