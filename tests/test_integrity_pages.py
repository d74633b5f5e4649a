"""The integrity log's public pages in Chromium: axe-core (all rules) finds nothing on the list, an entry with files
and the document page with its hashes, in each display mode; the Nu HTML checker finds no error; a phone 320 px wide
scrolls no page sideways despite the 64-digit hashes; print keeps the hashes."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.content import check_upload
from disclosure.services import attachment_add, document_withdraw
from integrity.models import Entry
from integrity.services import integrity_checkpoint
from tests.test_browser_access import axe_context, axe_violations, nu_errors

pytestmark = pytest.mark.browser


@pytest.fixture
def logged(transactional_db, org_a, drafter_a, reviewer_a, office, make_document, publish):
    document = make_document(org_a, drafter_a, title="关于公园开放时间调整的通知")
    attachment_add(
        document=document,
        actor=drafter_a,
        upload=check_upload(SimpleUploadedFile("开放时间表.txt", "开放时间表。".encode())),
    )
    document = publish(document, drafter_a, reviewer_a)
    gone = publish(make_document(org_a, drafter_a, title="错发的通知"), drafter_a, reviewer_a)
    document_withdraw(document=gone, actor=office, reason="错发")
    integrity_checkpoint(today=timezone.localdate() + dt.timedelta(days=1))
    return {
        "integrity": reverse("integrity:list"),
        "integrity_entry": reverse("integrity:entry", args=[1]),
        "integrity_withdrawn": reverse("integrity:entry", args=[Entry.objects.get(kind="withdrawn").seq]),
        "document_sealed": reverse("disclosure:document", args=document.index_path),
    }


def test_the_integrity_pages_pass_axe_in_each_display_mode_and_fit_a_phone(logged, live_server, browser, artifacts_dir):
    failures: list[str] = []
    for mode in ("", "elder", "contrast.hant"):
        context = axe_context(browser)
        if mode:
            context.add_cookies([{"name": "govopen_display", "value": mode, "url": live_server.url}])
        page = context.new_page()
        for name, path in logged.items():
            assert page.goto(live_server.url + path).status == 200, name
            failures += [f"{name} [{mode or 'plain'}] {v}" for v in axe_violations(page)]
        context.close()
    assert failures == []
    phone = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 640})
    page = phone.new_page()
    for name, path in logged.items():
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(path=os.path.join(artifacts_dir, f"{name}-320.png"), full_page=True)
        assert overflow <= 0, (name, overflow)
    page.emulate_media(media="print")
    page.goto(live_server.url + logged["integrity_entry"])
    assert Entry.objects.get(seq=1).hash[:16] in page.inner_text("main")
    phone.close()


@pytest.mark.skipif(
    not os.environ.get("GOVOPEN_VNU_JAR"), reason="no Nu HTML checker (scripts/test installs it where Java and npm are)"
)
def test_the_integrity_pages_are_valid_html_for_the_nu_checker(logged, tmp_path):
    visitor = Client()
    pages = {name: visitor.get(path).content.decode() for name, path in logged.items()}
    assert nu_errors(pages, tmp_path) == []
