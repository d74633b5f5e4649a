"""The identity of the site and of each page, as the national rules for government websites ask (政府网站发展指引,
国办发〔2017〕47号, and its 网页设计规范): the 政府网站 meta tags of the site (SiteName, SiteDomain, SiteIDCode), of the
column (ColumnName, ColumnDescription, ColumnKeywords, ColumnType) and of an article (ArticleTitle, PubDate,
ContentSource, Keywords, Author, Description, Image, Url), and the footer's 主办/承办 identity.

The site's values come from settings (docs/deployment.md, "The site's identity"); a column's from the page's URL name
in ``COLUMNS`` below, or from the view when it names a column of its own (a catalogue item, an organisation's
guide: the ``column_name`` context variable); an article's from the document or interpretation on the page
(templates/_article_meta.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# By the page's view name (namespace:name). ColumnType: what kind of column a page belongs to, in the words the national inspections use.
OPENNESS, SERVICE, INTERACTION, HOME, OTHER = _("政务公开"), _("办事服务"), _("互动交流"), _("网站首页"), _("其他")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    keywords: str


_C = Column
COLUMNS: dict[str, Column] = {
    "disclosure:home": _C(
        _("首页"),
        HOME,
        _("政府信息公开平台首页：主动公开、依申请公开、政策解读和信息检索。"),
        _("政府信息公开 政务公开"),
    ),
    "disclosure:column": _C(
        _("政府信息公开"),
        OPENNESS,
        _("政府信息公开专栏：制度、指南、目录、法定主动公开内容、年度报告。"),
        _("政府信息公开 公开指南 公开目录"),
    ),
    "disclosure:rules": _C(
        _("政府信息公开制度"), OPENNESS, _("政府信息公开的法规和工作制度。"), _("政府信息公开条例 制度")
    ),
    "disclosure:statutory": _C(
        _("法定主动公开内容"),
        OPENNESS,
        _("《条例》第二十条规定应当主动公开的政府信息。"),
        _("法定主动公开 机构职能 规范性文件"),
    ),
    "disclosure:on_request": _C(_("依申请公开目录"), OPENNESS, _("经申请公开的政府信息目录。"), _("依申请公开 目录")),
    "disclosure:on_request_issue": _C(
        _("依申请公开目录"), OPENNESS, _("经申请公开的政府信息目录。"), _("依申请公开 目录")
    ),
    "integrity:list": _C(
        _("发布存证"), OPENNESS, _("每一次发布、有效性变更和撤回的哈希链存证，可自行核验。"), _("发布存证 哈希 核验")
    ),
    "performance:statistics": _C(
        _("政务公开工作统计"),
        OPENNESS,
        _("依申请公开办理和主动公开发布的统计数据，按机构和月份。"),
        _("政务公开 统计 按时答复"),
    ),
    "performance:organisation_statistics": _C(
        _("政务公开工作统计"),
        OPENNESS,
        _("依申请公开办理和主动公开发布的统计数据，按机构和月份。"),
        _("政务公开 统计 按时答复"),
    ),
    "opendata:index": _C(
        _("开放数据"), OPENNESS, _("主动公开政府信息目录和年度报告统计表的批量下载。"), _("开放数据 批量下载 CSV")
    ),
    "disclosure:guide": _C(
        _("政府信息公开指南"),
        OPENNESS,
        _("公开主体的政府信息公开指南：机构、方式、申请渠道。"),
        _("政府信息公开指南 申请"),
    ),
    "disclosure:catalogue": _C(
        _("政府信息公开目录"), OPENNESS, _("公开主体的政府信息公开目录。"), _("政府信息公开目录")
    ),
    "disclosure:node": _C(_("政府信息公开目录"), OPENNESS, _("政府信息公开目录事项。"), _("政府信息公开目录")),
    "disclosure:document": _C(_("政府信息公开"), OPENNESS, _("主动公开的政府信息。"), _("政府信息公开")),
    "disclosure:search": _C(_("信息检索"), OPENNESS, _("检索主动公开的政府信息。"), _("检索 政府信息")),
    "disclosure:interpretations": _C(
        _("政策解读"), OPENNESS, _("政策文件的解读：文字、图解、音视频和问答。"), _("政策解读")
    ),
    "disclosure:interpretation": _C(_("政策解读"), OPENNESS, _("政策文件的解读。"), _("政策解读")),
    "catalog:organisation": _C(
        _("机构信息"), OPENNESS, _("机构的职能、地址和政府信息公开工作机构。"), _("机构职能 联系方式")
    ),
    "audits:reports": _C(
        _("政府信息公开工作年度报告"), OPENNESS, _("各公开主体的政府信息公开工作年度报告。"), _("年度报告")
    ),
    "audits:report": _C(_("政府信息公开工作年度报告"), OPENNESS, _("政府信息公开工作年度报告。"), _("年度报告")),
    "emergencies:list": _C(
        _("突发事件信息发布"), OPENNESS, _("突发事件的权威信息发布和新闻发布会。"), _("突发事件 信息发布")
    ),
    "emergencies:detail": _C(
        _("突发事件信息发布"), OPENNESS, _("突发事件的权威信息发布和新闻发布会。"), _("突发事件 信息发布")
    ),
    "requests:apply": _C(_("依申请公开"), SERVICE, _("在线申请获取政府信息。"), _("依申请公开 在线申请")),
    "requests:apply_done": _C(_("依申请公开"), SERVICE, _("申请已提交。"), _("依申请公开")),
    "requests:status": _C(_("申请查询"), SERVICE, _("查询政府信息公开申请的办理情况。"), _("申请查询 办理进度")),
    "requests:status_case": _C(_("申请查询"), SERVICE, _("政府信息公开申请的办理情况。"), _("申请查询")),
    "display": _C(
        _("无障碍浏览"), OTHER, _("长者模式、大字号、高对比度和繁体显示的设置。"), _("无障碍 长者模式 适老化")
    ),
    "site_map": _C(_("网站地图"), OTHER, _("本平台的栏目和各公开主体的页面。"), _("网站地图")),
    "contact": _C(
        _("联系我们"), OTHER, _("本网站和各公开主体政府信息公开工作机构的联系方式。"), _("联系我们 联系方式")
    ),
    "errorreports:report": _C(
        _("我为政府网站找错"), INTERACTION, _("报告本网站的错误：错别字、链接失效、内容错误。"), _("网站找错 纠错")
    ),
    "errorreports:done": _C(_("我为政府网站找错"), INTERACTION, _("找错留言已收到。"), _("网站找错")),
    "errorreports:status": _C(_("我为政府网站找错"), INTERACTION, _("查询找错留言的办理情况。"), _("网站找错 查询")),
    "errorreports:answers": _C(_("我为政府网站找错"), INTERACTION, _("网站找错的答复。"), _("网站找错 答复")),
}
_DEFAULT = _C(_("政府信息公开"), OPENNESS, _("政府信息公开平台。"), _("政府信息公开"))


def site_domain() -> str:
    """SiteDomain: GOVOPEN_SITE_DOMAIN, else the host of GOVOPEN_SITE_URL."""
    return settings.GOVOPEN_SITE_DOMAIN or re.sub(r"^https?://", "", settings.GOVOPEN_SITE_URL).split("/")[0]


def psb_record_number(text: str) -> str:
    """The digits of a 公安机关备案号 (闽公网安备 35020302000001号 → 35020302000001), for the link to its record."""
    return "".join(re.findall(r"[0-9]", text))


class PageMeta:
    """What the page's head and footer need, looked up when the template asks."""

    __slots__ = ("__dict__", "_request")

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def column(self) -> Column:
        match = getattr(self._request, "resolver_match", None)
        return COLUMNS.get(match.view_name if match is not None else "", _DEFAULT)

    @property
    def site_name(self) -> str:
        return settings.GOVOPEN_SITE_NAME

    @property
    def site_domain(self) -> str:
        return site_domain()

    @property
    def site_id_code(self) -> str:
        return settings.GOVOPEN_SITE_ID_CODE

    @property
    def url(self) -> str:
        return self._request.build_absolute_uri()


def page_meta(request: HttpRequest) -> dict[str, object]:
    return {"page_meta": PageMeta(request)}
