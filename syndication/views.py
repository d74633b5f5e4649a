"""``/robots.txt`` and the sitemap views (``syndication/sitemaps.py``); the feeds are in ``syndication/feeds.py``."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from syndication.sitemaps import SITEMAPS


def robots_lines(request: HttpRequest) -> list[str]:
    """Crawlers stay out of the admin, the applicant's pages (the form, its status pages, files and letters), the
    error-report forms and the subscription links; every path comes from ``reverse``, so a site mounted under
    ``GOVOPEN_URL_PREFIX`` gets its prefixed paths."""
    disallowed = [
        reverse("admin:index"),
        reverse("requests:apply"),  # /apply/ covers the status pages, their files and letters
        reverse("errorreports:report"),  # /jiucuo/: the form, its done and status pages
        reverse("subscriptions:subscribe"),  # the form and every signed confirm / unsubscribe link
    ]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed)]
    lines.append(f"Allow: {reverse('errorreports:answers')}")  # the public answers are a public page
    lines.append("")
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('syndication:sitemap'))}")
    return lines


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("\n".join(robots_lines(request)) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(
        request,
        SITEMAPS,
        template_name="syndication/sitemap_index.xml",
        sitemap_url_name="syndication:sitemap_section",
    )


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page of one kind's sitemap: the URLs come from Django's sitemap classes (``get_urls``), the XML is
    written here rather than by the framework's template, which takes seconds for 50,000 URLs."""
    if section not in SITEMAPS:
        raise Http404
    sitemap = SITEMAPS[section]()
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger):
        raise Http404 from None
    response = HttpResponse(urlset_xml(urls), content_type="application/xml; charset=utf-8")
    latest = getattr(sitemap, "latest_lastmod", None)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def urlset_xml(urls: list[dict]) -> str:
    """The <urlset> of ``urls`` as Django's sitemap views build them; times in Asia/Shanghai with the offset."""
    zone = timezone.get_current_timezone()  # once: looking it up per URL costs more than formatting the URL
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in urls:
        entry = f"<url><loc>{escape(url['location'])}</loc>"
        if url["lastmod"]:
            entry += f"<lastmod>{url['lastmod'].astimezone(zone).isoformat()}</lastmod>"
        if url["changefreq"]:
            entry += f"<changefreq>{url['changefreq']}</changefreq>"
        parts.append(entry + "</url>")
    parts.append("</urlset>\n")
    return "\n".join(parts)
