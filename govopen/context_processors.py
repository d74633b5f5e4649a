"""What every page's template gets: the site's name, and its header and footer (``site_chrome``).

The header (with the main navigation) and the footer are the same on every page but for which navigation item is
the current one: they hold no record and nothing of the visitor, only URLs, translations and the site's name. So
they are rendered once per process for each (script prefix, language, site name, current page) from
``templates/_site_header.html`` and ``templates/_site_footer.html`` and reused, instead of reversing nine URLs and
translating a dozen strings on every request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# Keys are few (the URL names of the site times the languages); the bound only guards against surprises.
_MAX_RENDERED = 512
_rendered: dict[tuple[object, ...], SafeString] = {}


def _fragment(template_name: str, key: tuple[object, ...], context: dict[str, object]) -> SafeString:
    full_key = (template_name, *key)
    found = _rendered.get(full_key)
    if found is None:
        found = render_to_string(template_name, context)
        if len(_rendered) >= _MAX_RENDERED:
            _rendered.clear()
        _rendered[full_key] = found
    return found


@receiver(setting_changed)
def reset_site_chrome(**kwargs: object) -> None:
    """Forget the rendered header and footer: a changed setting (in tests) may change the templates or the URLs."""
    _rendered.clear()


class SiteChrome:
    """The header and footer of the page being rendered, looked up (or rendered) when the template asks."""

    __slots__ = ("_request",)

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def _key(self) -> tuple[tuple[object, ...], dict[str, object]]:
        match = getattr(self._request, "resolver_match", None)
        url_name = match.url_name if match is not None else None
        app_name = match.app_name if match is not None else None
        site_name = settings.GOVOPEN_SITE_NAME
        key = (
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_language(),
            site_name,
            url_name,
            app_name,
        )
        return key, {"site_name": site_name, "nav_url_name": url_name, "nav_app_name": app_name}

    @property
    def header(self) -> SafeString:
        key, context = self._key()
        return _fragment("_site_header.html", key, context)

    @property
    def footer(self) -> SafeString:
        key, context = self._key()
        # The footer does not depend on the current page: one copy per prefix, language and name. Its identity
        # (主办, 承办, 网站标识码, 备案号) comes from settings, which a test may change (that clears the copies).
        from govopen.pagemeta import psb_record_number

        identity = {
            "sponsor": settings.GOVOPEN_SPONSOR,
            "organiser": settings.GOVOPEN_ORGANISER,
            "phone": settings.GOVOPEN_CONTACT_PHONE,
            "email": settings.GOVOPEN_CONTACT_EMAIL,
            "site_id_code": settings.GOVOPEN_SITE_ID_CODE,
            "icp": settings.GOVOPEN_ICP_NUMBER,
            "psb": settings.GOVOPEN_PSB_NUMBER,
            "psb_record": psb_record_number(settings.GOVOPEN_PSB_NUMBER),
            "dzjg_image": settings.GOVOPEN_DZJG_IMAGE,
            "dzjg_url": settings.GOVOPEN_DZJG_URL,
        }
        return _fragment("_site_footer.html", key[:4], {**context, "identity": identity})


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_name": settings.GOVOPEN_SITE_NAME, "site_chrome": SiteChrome(request)}
