"""The statistics pages in Chromium, on the demo's data: a phone of 320 px gets no sideways scrolling (the charts
shrink, wide tables scroll inside their box) and the period form works without JavaScript. axe-core checks every
statistics page in each display mode with the other public page types (tests/test_browser_access.py)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from catalog.demo import ORG_A

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(db, demo_site):
    """The demo with its statistics (load_demo computes them last), shared by the module: conftest ``demo_site``."""
    return demo_site


def pages() -> list[str]:
    return [
        reverse("performance:statistics"),
        reverse("performance:statistics") + "?period=" + "2025",
        reverse("performance:organisation_statistics", args=[ORG_A]),
        reverse("performance:statistics") + "?period=1999",  # the 400 page
    ]


def test_statistics_pages_fit_a_phone_and_work_without_javascript(demo, browser, artifacts_dir):
    context = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    for path in pages()[:3]:
        page.goto(demo.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    page.goto(demo.url + pages()[0])
    page.select_option("#period", "2025")
    page.get_by_role("button", name="查看").click()
    assert "period=2025" in page.url and "统计期间：2025年" in page.locator("main").inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, "statistics-320.png"), full_page=True)
    context.close()
