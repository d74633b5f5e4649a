"""Every public page type of the demo in Chromium: axe-core (all rules, every impact) finds nothing, the Nu HTML
checker finds no error, the display switches work without JavaScript, and phones of 320 and 390 px wide get one
column without sideways scrolling (issue 16; 无障碍 GB/T 37668-2019, 适老化 and the 政府网站 page rules).

axe-core comes from PyPI (axe-playwright-python, requirements-dev.txt); the Nu checker (vnu.jar) from npm, installed
and run by scripts/test where Java is present (GOVOPEN_VNU_JAR). Screenshots of each mode and width are kept."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import AnnualReport
from catalog.demo import ORG_A
from catalog.models import CatalogueNode, Organisation
from disclosure.models import DirectoryIssue, Document, Interpretation
from emergencies.selectors import public_emergencies
from integrity.models import Entry as IntegrityEntry

pytestmark = pytest.mark.browser

AXE = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")


# The page types answered with another status than 200 (their pages are checked like the others).
STATUS = {"not_found": 404, "statistics_bad_period": 400}


def public_pages() -> dict[str, str]:
    """One URL of each public page type, from the demo."""
    document = (
        Document.objects.filter(status=Document.Status.PUBLISHED, attribute="proactive")
        .exclude(interpretations=None)
        .order_by("-published_at")
        .first()
        or Document.objects.filter(status=Document.Status.PUBLISHED).first()
    )
    organisation = Organisation.objects.get(code=ORG_A)
    node = CatalogueNode.objects.filter(documents=document).first()
    pages = {
        "home": "/",
        "column": reverse("disclosure:column"),
        "rules": reverse("disclosure:rules"),
        "statutory": reverse("disclosure:statutory"),
        "on_request": reverse("disclosure:on_request"),
        "guide": reverse("disclosure:guide", args=[organisation.code]),
        "catalogue": reverse("disclosure:catalogue", args=[organisation.code]),
        "node": reverse("disclosure:node", args=[node.pk]),
        "document": reverse("disclosure:document", args=document.index_path),
        "search": reverse("disclosure:search") + "?q=%E7%AE%A1%E7%90%86",  # 管理
        "search_filtered": reverse("disclosure:search") + f"?q=%E7%AE%A1%E7%90%86&org={organisation.code}&field=title",
        "search_none": reverse("disclosure:search") + "?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D",
        "interpretations": reverse("disclosure:interpretations"),
        "organisation": reverse("catalog:organisation", args=[organisation.code]),
        "emergencies": reverse("emergencies:list"),
        "reports": reverse("audits:reports"),
        "apply": reverse("requests:apply"),
        "status": reverse("requests:status"),
        "display": reverse("display"),
        "site_map": reverse("site_map"),
        "contact": reverse("contact"),
        "error_report": reverse("errorreports:report"),
        "error_answers": reverse("errorreports:answers"),
        "error_status": reverse("errorreports:status"),
        "not_found": "/documents/NOPE/2020-99999/",
        # issue 17: open data, statistics, the integrity log, subscriptions
        "open_data": reverse("opendata:index"),
        "statistics": reverse("performance:statistics"),
        "statistics_period": reverse("performance:statistics") + "?period=2025",
        "statistics_bad_period": reverse("performance:statistics") + "?period=1999",  # the 400 page
        "organisation_statistics": reverse("performance:organisation_statistics", args=[organisation.code]),
        "integrity": reverse("integrity:list"),
        "subscribe": reverse("subscriptions:subscribe") + f"?kind=organisation&org={organisation.code}",
        "subscription_sent": reverse("subscriptions:sent"),
    }
    entry = IntegrityEntry.objects.order_by("-seq").first()
    if entry is not None:
        pages["integrity_entry"] = reverse("integrity:entry", args=[entry.seq])
    issue = DirectoryIssue.objects.first()
    if issue is not None:
        pages["on_request_issue"] = reverse("disclosure:on_request_issue", args=[issue.pk])
    interpretation = Interpretation.objects.filter(status=Interpretation.Status.PUBLISHED).first()
    if interpretation is not None:
        pages["interpretation"] = reverse("disclosure:interpretation", args=[interpretation.pk])
    emergency = public_emergencies().first()
    if emergency is not None:
        pages["emergency"] = reverse("emergencies:detail", args=[emergency.pk])
    report = AnnualReport.objects.filter(published_at__isnull=False).first()
    if report is not None:
        pages["report"] = reverse("audits:report", args=[report.pk])
    return pages


def axe_context(browser, **options):
    """A browser context whose every page has axe-core from its first script on: an init script, sent once for the
    context, instead of the 500 KB script sent to each page after it loaded (a quarter of the time of a page's check).
    The pages' content security policy is bypassed in it, as a script axe runs would be refused."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True, **options)
    context.add_init_script(path=str(AXE))
    return context


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):  # a page of a context without the init script
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]


def nu_errors(html_by_name: dict[str, str], workdir: Path) -> list[str]:
    jar = os.environ["GOVOPEN_VNU_JAR"]
    files = []
    for name, html in html_by_name.items():
        path = workdir / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(
        ["java", "-jar", jar, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]


@pytest.fixture
def demo(db, demo_site):
    """The demo, shared by the module's tests (they only read it): tests/conftest.py ``demo_site``."""
    return demo_site


def test_r39_every_public_page_type_passes_axe_in_each_display_mode(demo, browser, artifacts_dir, tmp_path):
    pages = public_pages()
    failures: list[str] = []
    for mode in ("", "elder", "contrast.hant"):
        context = axe_context(browser)
        if mode:
            context.add_cookies([{"name": "govopen_display", "value": mode, "url": demo.url}])
        page = context.new_page()
        for name, path in pages.items():
            response = page.goto(demo.url + path)
            assert response.status == STATUS.get(name, 200), (name, mode)
            failures += [f"{name} [{mode or 'plain'}] {v}" for v in axe_violations(page)]
            if name in ("document", "statistics"):
                page.screenshot(path=os.path.join(artifacts_dir, f"{name}-{mode or 'plain'}.png"), full_page=True)
        page.goto(demo.url + pages["apply"])
        page.locator("main form button[type=submit]").last.click()  # nothing filled in: the error summary
        failures += [f"apply_errors [{mode or 'plain'}] {v}" for v in axe_violations(page)]
        context.close()
    assert failures == []


@pytest.mark.skipif(
    not os.environ.get("GOVOPEN_VNU_JAR"), reason="no Nu HTML checker (scripts/test installs it where Java and npm are)"
)
def test_every_public_page_type_is_valid_html_for_the_nu_checker(demo, tmp_path):
    visitor = Client()
    html_by_name = {}
    for name, path in public_pages().items():
        response = visitor.get(path)
        assert response.status_code == STATUS.get(name, 200), name
        html_by_name[name] = response.content.decode()
    html_by_name["apply_errors"] = visitor.post(reverse("requests:apply"), {}).content.decode()
    visitor.cookies["govopen_display"] = "elder.hant"
    html_by_name["home_elder_hant"] = visitor.get("/").content.decode()
    assert nu_errors(html_by_name, tmp_path) == []


def test_the_display_switches_work_without_javascript(demo, browser, artifacts_dir):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    document = public_pages()["document"]
    page.goto(demo.url + document)
    body_size = lambda: float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2])  # noqa: E731
    assert body_size() == 16
    page.get_by_role("link", name="长者模式", exact=True).click()
    assert page.url == demo.url + document  # back on the same page
    assert body_size() >= 20 and page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert page.get_by_role("link", name="退出长者模式").is_visible()
    assert not page.get_by_role("link", name="长者模式", exact=True).is_visible()
    page.screenshot(path=os.path.join(artifacts_dir, "elder-document.png"), full_page=True)
    page.get_by_role("link", name="退出长者模式").click()
    page.get_by_role("link", name="大字号").click()
    assert body_size() >= 18 and page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(0, 0, 0)"
    page.get_by_role("link", name="繁體").click()
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert "政府信息公開" in page.locator("header").inner_text()
    page.get_by_role("link", name="無障礙", exact=True).click()  # the settings page, itself in 繁體
    page.get_by_role("radio", name="關閉").nth(1).check()  # 大字号 off
    page.get_by_role("radio", name="關閉").nth(3).check()  # 繁體 off
    page.get_by_role("button", name="保存設置並返回").click()
    assert page.url == demo.url + document and body_size() == 16
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    context.close()


PHONE_WIDTHS = (320, 390)


def test_no_page_type_scrolls_sideways_at_either_phone_width(demo, browser):
    """Each page is measured at both widths: loaded at one, then the window narrowed or widened to the other (the
    page's layout follows its media queries again), the width it is loaded at alternating from page to page."""
    context = browser.new_context(locale="zh-CN", viewport={"width": PHONE_WIDTHS[0], "height": 800})
    page = context.new_page()
    overflowing = []
    widths = list(PHONE_WIDTHS)
    for name, path in public_pages().items():
        page.goto(demo.url + path)
        for width in widths:
            page.set_viewport_size({"width": width, "height": 800})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                overflowing.append((name, width, scroll))
        widths.reverse()  # the next page loads at the width this one ended at
    context.close()
    assert overflowing == []


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_phones_get_one_column_and_the_results_first(demo, browser, artifacts_dir, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    pages = public_pages()
    page.goto(demo.url + pages["search"])
    results = page.locator("#results").bounding_box()
    facets = page.locator(".facets").bounding_box()
    assert results["y"] < facets["y"]  # the results come first on a phone
    facet_link = page.locator(".facets section a").first
    assert not facet_link.is_visible()  # the filters are folded
    page.locator(".facet-fold > summary").click()
    assert facet_link.is_visible()
    page.screenshot(path=os.path.join(artifacts_dir, f"search-{width}.png"), full_page=True)
    page.goto(demo.url + pages["document"])
    label, value = page.locator("table.doc-meta-table th").first, page.locator("table.doc-meta-table td").first
    assert abs(label.bounding_box()["y"] - value.bounding_box()["y"]) < 2  # label and value side by side
    assert label.bounding_box()["width"] > 60  # not one character per line
    nav = page.locator(".site-nav").bounding_box()
    assert nav["height"] < 110  # at most two rows
    page.screenshot(path=os.path.join(artifacts_dir, f"document-{width}.png"), full_page=True)
    context.close()


def test_on_a_wide_screen_the_filters_show_beside_the_results_and_print_keeps_the_index_table(demo, browser):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pages = public_pages()
    page.goto(demo.url + pages["search"])
    assert (
        page.locator(".facets section a").first.is_visible() and not page.locator(".facet-fold > summary").is_visible()
    )
    assert page.locator(".facets").bounding_box()["x"] < page.locator("#results").bounding_box()["x"]
    page.goto(demo.url + pages["document"])
    page.emulate_media(media="print")
    assert page.locator("table.doc-meta-table").is_visible() and not page.locator(".site-nav").is_visible()
    assert not page.locator(".display-switches").is_visible()


def test_the_footers_error_report_link_brings_the_page_it_was_clicked_on(demo, browser):
    page = browser.new_page(locale="zh-CN")
    document = public_pages()["document"]
    page.goto(demo.url + document)
    page.get_by_role("link", name="我为政府网站找错").click()
    assert page.url == demo.url + reverse("errorreports:report")
    assert page.locator("#id_page_url").input_value() == document  # from the Referer: the footer is the same everywhere
