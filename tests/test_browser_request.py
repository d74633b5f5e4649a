"""An application lived through in Chromium (R20–R25, R27): a citizen files online, the handler accepts it and asks for
a correction, the citizen sees the request on the status page and answers it, the handler previews the formal
答复书 and replies with a file, and the citizen reads the letter, downloads the file, opens the letter's printable page
(print button, keyboard, print media without the site around it) and downloads its PDF. Screenshots and the PDFs are
artifacts."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone
from pypdf import PdfReader

from requests_app.models import InformationRequest
from tests.conftest import VALID_RESIDENT_ID
from tests.test_browser_review import sign_in

pytestmark = pytest.mark.browser

# In print the letter takes the whole width the page gives it, whatever frame it sits in on screen.
LETTER_SHARE_OF_PAGE_WIDTH = (
    "document.querySelector('.formal-letter').getBoundingClientRect().width / document.documentElement.clientWidth"
)


def test_file_correct_answer_reply_download(
    browser, live_server, org_a, handler_a, work_calendar, artifacts_dir, tmp_path
):
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

    # The handler drafts the reply from the template, previews the whole letter with its expected 文号, attaches the
    # plan and replies (R25). The file goes on after the preview: a browser never keeps a chosen file across a post.
    staff.goto(f"{live_server.url}/admin/requests_app/informationrequest/{case.pk}/reply/")
    staff.select_option("#id_outcome", "open")
    staff.click("input[name=draft]")
    staff.wait_for_selector("#id_letter")
    assert "予以公开" in staff.input_value("#id_letter")
    staff.click("input[name=preview]")
    staff.wait_for_selector("#letter-preview .formal-letter")
    year = timezone.localdate().year
    number = f"甲城管依公开〔{year}〕1号"
    preview = staff.inner_text("#letter-preview")
    assert number in preview and "政府信息公开申请答复书" in preview and "予以公开" in preview
    assert "甲市人民政府" in preview and "甲市中山区人民法院" in preview
    assert "予以公开" in staff.input_value("#id_letter")  # the draft survives the preview
    shot(staff, "5-reply-preview")
    plan = tmp_path / "停放点位方案.pdf"
    plan.write_bytes(b"%PDF-1.4\n% bike parking plan\n%%EOF\n")
    staff.set_input_files("#id_files", str(plan))
    shot(staff, "5-reply")
    staff.click("input[name=send]")
    staff.wait_for_selector("text=已答复")
    case.refresh_from_db()
    assert case.reply_number == number

    # The citizen reads the formal letter on the status page (name masked there) and downloads the file.
    citizen.reload()
    citizen.wait_for_selector("#h-reply")
    letter = citizen.inner_text(".formal-letter")
    assert "政府信息公开申请答复书" in letter and number in letter and "予以公开" in letter
    assert "甲市人民政府" in letter and "甲市中山区人民法院" in letter and "停放点位方案.pdf" in letter
    assert "张*：" in letter and "张三" not in letter
    shot(citizen, "6-replied")
    with citizen.expect_download() as download_info:
        citizen.click("a:has-text('停放点位方案.pdf')")
    download = download_info.value
    assert download.suggested_filename == "停放点位方案.pdf"
    assert open(download.path(), "rb").read().startswith(b"%PDF")

    # The letter's own page: full name, a print button (the script runs), and a PDF to download.
    citizen.click("a:has-text('查看和打印答复书')")
    citizen.wait_for_selector(".letter-page .formal-letter")
    assert "张三：" in citizen.inner_text(".formal-letter")
    citizen.wait_for_selector("button[data-print]", state="visible")
    citizen.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    citizen.click("button[data-print]")
    assert citizen.evaluate("window.printed") == 1
    shot(citizen, "7-letter")

    # Keyboard: from the top of the page Tab reaches the print button, then the PDF link, with a visible focus ring.
    letter_url = citizen.url
    citizen.goto(letter_url)
    citizen.wait_for_selector("button[data-print]", state="visible")
    focused = []
    for _ in range(40):
        citizen.keyboard.press("Tab")
        focused.append(citizen.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
        if citizen.evaluate("document.activeElement.matches('button[data-print]')"):
            break
    else:
        pytest.fail(f"Tab never reached the print button; focus went through {focused}")
    citizen.keyboard.press("Tab")
    assert citizen.evaluate("document.activeElement.textContent.trim()") == "下载 PDF 文件"
    assert citizen.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    citizen.screenshot(path=os.path.join(artifacts_dir, "request-7-letter-focus.png"))

    # Without JavaScript the print button could do nothing: it stays hidden and the page names the browser's print.
    no_script = browser.new_context(
        locale="zh-CN", java_script_enabled=False, storage_state=citizen.context.storage_state()
    ).new_page()
    no_script.goto(letter_url)
    no_script.wait_for_selector(".letter-page .formal-letter")
    assert no_script.is_hidden("button[data-print]")
    assert no_script.is_visible("a:has-text('下载 PDF 文件')") and no_script.is_visible(".print-hint")
    no_script.context.close()

    # In print the page is the letter alone: no site header, navigation, footer, breadcrumbs or buttons.
    citizen.emulate_media(media="print")
    for chrome in (
        ".site-header",
        ".site-nav",
        ".site-footer",
        ".breadcrumbs",
        "button[data-print]",
        ".print-action",
        "a:has-text('返回办理进度')",
        "h1:has-text('答复书')",
    ):
        assert not citizen.is_visible(chrome), chrome
    assert citizen.is_visible(".formal-letter") and citizen.is_visible(".letter-sign")
    assert citizen.evaluate(LETTER_SHARE_OF_PAGE_WIDTH) > 0.95
    shot(citizen, "8-letter-print")
    citizen.pdf(path=os.path.join(artifacts_dir, "request-letter-print.pdf"), format="A4", prefer_css_page_size=True)
    citizen.emulate_media(media="screen")

    # The PDF the applicant downloads carries the 文号 and the applicant's name.
    with citizen.expect_download() as download_info:
        citizen.click("a:has-text('下载 PDF 文件')")
    download = download_info.value
    assert download.suggested_filename == f"政府信息公开申请答复书-{code}.pdf"
    pdf_path = os.path.join(artifacts_dir, "request-letter.pdf")
    download.save_as(pdf_path)
    with open(pdf_path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages).replace("\n", "")
    assert number in text and "张三" in text and "甲市中山区人民法院" in text

    # The handler prints the same letter from the case: in print the admin's header, sidebar and links are gone.
    staff.goto(f"{live_server.url}/admin/requests_app/informationrequest/{case.pk}/letter/")
    staff.wait_for_selector(".letter-page .formal-letter")
    assert number in staff.inner_text(".formal-letter") and "张三：" in staff.inner_text(".formal-letter")
    shot(staff, "9-admin-letter")
    staff.emulate_media(media="print")
    for chrome in ("#header", "#nav-sidebar", ".breadcrumbs", "button[data-print]", "a:has-text('返回案件')"):
        assert not staff.is_visible(chrome), chrome
    assert staff.is_visible(".formal-letter")
    assert staff.evaluate(LETTER_SHARE_OF_PAGE_WIDTH) > 0.95  # not the admin's column beside a hidden sidebar
    shot(staff, "9-admin-letter-print")
