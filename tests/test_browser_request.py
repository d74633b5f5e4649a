"""An application lived through in Chromium (R20–R25, R27): a citizen files online, the handler accepts it and asks for
a correction, the citizen sees the request on the status page and answers it, the handler replies with a file,
and the citizen downloads the reply. Screenshots are artifacts."""

from __future__ import annotations

import os

import pytest

from requests_app.models import InformationRequest
from tests.conftest import VALID_RESIDENT_ID
from tests.test_browser_review import sign_in

pytestmark = pytest.mark.browser


def test_file_correct_answer_reply_download(browser, live_server, org_a, handler_a, work_calendar, artifacts_dir, tmp_path):
    citizen = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    staff = browser.new_context(locale="zh-CN").new_page()
    shot = lambda page, name: page.screenshot(path=os.path.join(artifacts_dir, f"request-{name}.png"), full_page=True)  # noqa: E731

    # The citizen files; a wrong check digit is caught first and nothing typed is lost.
    citizen.goto(f"{live_server.url}/apply/?org={org_a.code}")
    citizen.check("input[name=applicant_type][value=natural]")
    citizen.fill("#id_applicant_name", "张三")
    citizen.select_option("#id_id_type", "resident_id")
    citizen.fill("#id_id_number", VALID_RESIDENT_ID[:-1] + "1")
    citizen.fill("#id_phone", "13812345678")
    citizen.fill("#id_email", "zhangsan@example.com")
    citizen.fill("#id_description", "请提供共享单车停放点位方案。")
    citizen.check("#id_pledge")
    citizen.click("button:has-text('提交申请')")
    citizen.wait_for_selector(".error-summary")
    assert "校验位不正确" in citizen.inner_text(".error-summary")
    assert citizen.input_value("#id_applicant_name") == "张三"
    shot(citizen, "1-check-digit")
    citizen.fill("#id_id_number", VALID_RESIDENT_ID)
    citizen.check("#id_pledge")
    citizen.click("button:has-text('提交申请')")
    citizen.wait_for_selector("text=申请已提交")
    codes = citizen.locator("strong.code").all_inner_texts()
    code, secret = codes[0], codes[1]
    shot(citizen, "2-filed")

    # The handler accepts it and asks, once and listing everything, for a correction (R21, R22).
    case = InformationRequest.objects.get(tracking_code=code)
    sign_in(staff, live_server, handler_a.username)
    staff.goto(f"{live_server.url}/admin/requests_app/informationrequest/?deadline=unaccepted")
    staff.click(f"a:has-text('{code}')")
    staff.click(".object-tools a:has-text('受理')")
    staff.click("input[type=submit]")
    staff.wait_for_selector("text=已受理")
    assert VALID_RESIDENT_ID in staff.inner_text("#content-main")  # the case's handler sees it in full
    staff.click(".object-tools a:has-text('告知补正')")
    staff.fill("#id_items", "请写明所需方案的年度和所在区。")
    staff.click("input[type=submit]")
    staff.wait_for_selector("text=已告知补正")
    shot(staff, "3-correction-asked")

    # The citizen opens the status page with code and secret and answers the correction.
    citizen.context.clear_cookies()
    citizen.goto(f"{live_server.url}/apply/status/")
    citizen.fill("#id_code", code)
    citizen.fill("#id_secret", "wrong-secret")
    citizen.click("button:has-text('查询')")
    citizen.wait_for_selector("text=查询码或查询密码不正确")
    citizen.fill("#id_secret", secret)
    citizen.click("button:has-text('查询')")
    citizen.wait_for_selector("text=请补正申请")
    assert "请写明所需方案的年度和所在区" in citizen.inner_text("main")
    assert VALID_RESIDENT_ID not in citizen.inner_text("main")
    shot(citizen, "4-status-correction")
    citizen.fill("#id_answer", "2026 年度，思明区。")
    citizen.click("button:has-text('提交补正')")
    citizen.wait_for_selector("text=补正已提交")

    # The handler drafts the reply from the template, attaches the plan and replies (R25).
    staff.goto(f"{live_server.url}/admin/requests_app/informationrequest/{case.pk}/reply/")
    staff.select_option("#id_outcome", "open")
    staff.click("input[name=draft]")
    staff.wait_for_selector("#id_letter")
    assert "予以公开" in staff.input_value("#id_letter")
    plan = tmp_path / "停放点位方案.pdf"
    plan.write_bytes(b"%PDF-1.4\n% bike parking plan\n%%EOF\n")
    staff.set_input_files("#id_files", str(plan))
    shot(staff, "5-reply")
    staff.click("input[name=send]")
    staff.wait_for_selector("text=已答复")

    # The citizen reads the letter and downloads the file.
    citizen.reload()
    citizen.wait_for_selector("#h-reply")
    assert "予以公开" in citizen.inner_text(".letter")
    shot(citizen, "6-replied")
    with citizen.expect_download() as download_info:
        citizen.click("a:has-text('停放点位方案.pdf')")
    download = download_info.value
    assert download.suggested_filename == "停放点位方案.pdf"
    assert open(download.path(), "rb").read().startswith(b"%PDF")
    citizen.emulate_media(media="print")
    assert not citizen.is_visible(".site-nav")
