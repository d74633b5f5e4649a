"""What the API answers, field by field (every field typed and described, so the OpenAPI schema is precise)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import CatalogueNode, Section, StatutoryClass
from disclosure.models import Document, InterpretationForm


def absolute(context: dict, name: str, *args: Any) -> str:
    """The absolute URL of a named route (the site may be mounted under a prefix: ``reverse`` knows it)."""
    path = reverse(name, args=args)
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class OrganisationRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码（索引号的前缀）")
    name = serializers.CharField(help_text="机构名称")


class DocumentRefSerializer(serializers.Serializer):
    """A public document named from another record (a successor, a policy, a repost)."""

    index_no = serializers.CharField(help_text="索引号")
    title = serializers.CharField(help_text="标题")
    url = serializers.SerializerMethodField(help_text="网页地址")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_url(self, document: Document) -> str:
        return absolute(self.context, "disclosure:document", *document.index_path)

    def get_api_url(self, document: Document) -> str:
        return absolute(self.context, "api:v1:document-detail", *document.index_path)


class DocumentSummarySerializer(DocumentRefSerializer):
    document_number = serializers.CharField(help_text="文号（可为空）")
    organisation = OrganisationRefSerializer(help_text="发布机构")
    written_on = serializers.DateField(allow_null=True, help_text="成文日期")
    published_at = serializers.DateTimeField(help_text="发布日期（北京时间）")
    validity = serializers.ChoiceField(choices=Document.Validity.choices, help_text="有效性")
    is_policy = serializers.BooleanField(help_text="是否为政策性文件（有政策解读）")


class SearchHitSerializer(serializers.Serializer):
    document = DocumentSummarySerializer(help_text="命中的文件")
    title_html = serializers.CharField(help_text="标题，命中的词用 <mark> 标出（已转义的 HTML）")
    snippet_html = serializers.CharField(help_text="正文摘录，命中的词用 <mark> 标出（已转义的 HTML）")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="作为筛选参数的取值")
    label = serializers.CharField(help_text="显示名称")
    count = serializers.IntegerField(help_text="结果数")
    selected = serializers.BooleanField(help_text="是否为当前的筛选条件")

    def to_representation(self, option: tuple) -> dict:
        value, label, count, selected = option
        return {"value": value, "label": label, "count": count, "selected": selected}


class FacetSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["org", "topic", "section", "year", "validity"], help_text="筛选参数名")
    label = serializers.CharField(help_text="分面名称")
    options = FacetOptionSerializer(many=True, help_text="各取值及其结果数")


class InterpretationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="标题")
    form = serializers.ChoiceField(choices=InterpretationForm.choices, help_text="解读形式")
    published_at = serializers.DateTimeField(help_text="发布日期")
    url = serializers.SerializerMethodField(help_text="网页地址")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_url(self, interpretation: Any) -> str:
        return absolute(self.context, "disclosure:interpretation", interpretation.pk)

    def get_api_url(self, interpretation: Any) -> str:
        return absolute(self.context, "api:v1:interpretation-detail", interpretation.pk)


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="检索词（过长时截断后的）")
    words = serializers.ListField(child=serializers.CharField(), help_text="检索词切分出的词语，全部命中才算")
    also = serializers.ListField(child=serializers.CharField(), help_text="同时检索的同义词")
    total = serializers.IntegerField(help_text="结果总数；exact 为 false 时是估计数")
    exact = serializers.BooleanField(help_text="total 是否精确")
    bound = serializers.IntegerField(help_text="计数、分面和翻页最多覆盖最新的这么多条结果")
    page = serializers.IntegerField(help_text="本页页码")
    pages = serializers.IntegerField(help_text="可翻到的页数（不超过 bound ÷ 每页条数）")
    page_size = serializers.IntegerField(help_text="每页条数")
    next = serializers.URLField(allow_null=True, help_text="下一页的地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页的地址")
    filters = serializers.DictField(child=serializers.CharField(), help_text="实际生效的筛选条件和排序")
    messages = serializers.ListField(child=serializers.CharField(), help_text="提示（如检索词过长）")
    results = SearchHitSerializer(many=True, help_text="本页结果")
    facets = FacetSerializer(many=True, help_text="分面：发布机构、主题分类、公开类别、发布年份、有效性")
    interpretations = InterpretationRefSerializer(many=True, help_text="相关政策解读（仅第 1 页）")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="附件名称")
    size = serializers.IntegerField(help_text="大小（字节）")
    download_url = serializers.CharField(help_text="下载地址")


class CatalogueItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="公开事项")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_api_url(self, node: CatalogueNode) -> str:
        return absolute(self.context, "api:v1:catalogue-item-detail", node.pk)


class RepostFactsSerializer(serializers.Serializer):
    source_organisation = serializers.CharField(help_text="来源机构")
    level = serializers.ChoiceField(
        choices=[("state", "国务院"), ("province", "省"), ("city", "市")], help_text="来源层级"
    )
    source_title = serializers.CharField(source="title", help_text="原文标题")
    source_url = serializers.URLField(help_text="原文链接")
    source_published_at = serializers.DateTimeField(help_text="原文发布时间")


class DocumentDetailSerializer(DocumentSummarySerializer):
    """The 信息索引 table of the document page, its body, files, validity and interpretations."""

    issuer = serializers.CharField(help_text="发文机关（可为空）")
    topic = serializers.CharField(source="topic.name", allow_null=True, default=None, help_text="主题分类")
    keywords = serializers.CharField(help_text="主题词")
    summary = serializers.CharField(help_text="内容概述")
    repealed_on = serializers.DateField(allow_null=True, help_text="废止（失效）日期")
    successor = serializers.SerializerMethodField(help_text="现行文件（仅当它已公开）")
    body_html = serializers.CharField(source="body", help_text="正文（经过清洗的 HTML）")
    attachments = serializers.SerializerMethodField(help_text="附件")
    catalogue_items = serializers.SerializerMethodField(help_text="所属的五公开目录事项")
    interpretations = serializers.SerializerMethodField(help_text="已发布的政策解读")
    repost = serializers.SerializerMethodField(help_text="转载来源（转载的文件才有）")

    @extend_schema_field(DocumentRefSerializer(allow_null=True))
    def get_successor(self, document: Document) -> dict | None:
        successor = self.context["successor"]
        return None if successor is None else DocumentRefSerializer(successor, context=self.context).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, document: Document) -> list[dict]:
        code, number = document.index_path
        return [
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "download_url": absolute(self.context, "disclosure:attachment", code, number, a.pk),
            }
            for a in self.context["attachments"]
        ]

    @extend_schema_field(CatalogueItemRefSerializer(many=True))
    def get_catalogue_items(self, document: Document) -> list[dict]:
        return CatalogueItemRefSerializer(self.context["nodes"], many=True, context=self.context).data

    @extend_schema_field(InterpretationRefSerializer(many=True))
    def get_interpretations(self, document: Document) -> list[dict]:
        return InterpretationRefSerializer(self.context["interpretations"], many=True, context=self.context).data

    @extend_schema_field(RepostFactsSerializer(allow_null=True))
    def get_repost(self, document: Document) -> dict | None:
        repost = getattr(document, "repost", None)
        return None if repost is None else RepostFactsSerializer(repost).data


# --- Organisations and their catalogues ---------------------------------------------------------------------------


class OrganisationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机构代码")
    name = serializers.CharField(help_text="机构名称")
    short_name = serializers.CharField(help_text="简称（可为空）")
    kind = serializers.CharField(source="get_kind_display", help_text="机构类型")
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None, help_text="上级机构的代码")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址（含政府信息公开指南）")

    def get_api_url(self, organisation: Any) -> str:
        return absolute(self.context, "api:v1:organisation-detail", organisation.code)


class GuideSectionSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=Section.choices, help_text="公开类别代码")
    label = serializers.CharField(help_text="公开类别")
    items = serializers.ListField(child=serializers.CharField(), help_text="该类别的公开事项")


class OrganisationDetailSerializer(OrganisationSerializer):
    """The organisation with the data of its 政府信息公开指南 (Art 12)."""

    office_name = serializers.CharField(help_text="政府信息公开工作机构")
    address = serializers.CharField(help_text="办公地址")
    postcode = serializers.CharField(help_text="邮政编码")
    office_hours = serializers.CharField(help_text="办公时间")
    phone = serializers.CharField(help_text="联系电话")
    fax = serializers.CharField(help_text="传真")
    email = serializers.CharField(help_text="电子邮箱")
    website = serializers.CharField(help_text="网站")
    guide_url = serializers.SerializerMethodField(help_text="政府信息公开指南网页")
    catalogue_url = serializers.SerializerMethodField(help_text="五公开目录（本接口）")
    guide_sections = serializers.SerializerMethodField(help_text="指南列出的主动公开类别和事项")

    def get_guide_url(self, organisation: Any) -> str:
        return absolute(self.context, "disclosure:guide", organisation.code)

    def get_catalogue_url(self, organisation: Any) -> str:
        return absolute(self.context, "api:v1:organisation-catalogue", organisation.code)

    @extend_schema_field(GuideSectionSerializer(many=True))
    def get_guide_sections(self, organisation: Any) -> list[dict]:
        return [
            {"section": section.value, "label": str(section.label), "items": [node.name for node in nodes]}
            for section, nodes in self.context["sections"]
        ]


class NilNoticeSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="期间开始")
    period_end = serializers.DateField(help_text="期间结束")
    note = serializers.CharField(help_text="说明（如“本期无”）")


class CatalogueTreeItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="公开事项")
    document_count = serializers.IntegerField(source="public_count", help_text="已公开的文件数")
    nil_notice = NilNoticeSerializer(allow_null=True, help_text="最近一次“本期无”说明（没有文件时）")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_api_url(self, node: CatalogueNode) -> str:
        return absolute(self.context, "api:v1:catalogue-item-detail", node.pk)


class CatalogueTreeNodeSerializer(CatalogueTreeItemSerializer):
    children = serializers.SerializerMethodField(help_text="二级事项")

    @extend_schema_field(CatalogueTreeItemSerializer(many=True))
    def get_children(self, entry: Any) -> list[dict]:
        return CatalogueTreeItemSerializer(entry.tree_children, many=True, context=self.context).data


class CatalogueSectionSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=Section.choices, help_text="公开类别代码")
    label = serializers.CharField(help_text="公开类别")
    items = CatalogueTreeNodeSerializer(many=True, help_text="一级事项")


class CatalogueSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer(help_text="机构")
    sections = CatalogueSectionSerializer(many=True, help_text="五公开目录（没有内容的栏目不列出）")


class CatalogueItemSerializer(serializers.Serializer):
    """A catalogue item with the fields of R34."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="公开事项")
    organisation = OrganisationRefSerializer(help_text="所属机构")
    section = serializers.ChoiceField(choices=Section.choices, help_text="公开类别代码")
    section_label = serializers.CharField(source="get_section_display", help_text="公开类别")
    parent = serializers.SerializerMethodField(help_text="上级事项（二级事项才有）")
    statutory_class = serializers.ChoiceField(
        choices=StatutoryClass.choices, allow_null=True, help_text="《条例》第二十条的类别（1–15）"
    )
    elements = serializers.CharField(help_text="公开内容（要素）")
    basis = serializers.CharField(help_text="公开依据")
    time_limit_days = serializers.IntegerField(allow_null=True, help_text="公开时限（工作日）")
    time_limit_event = serializers.CharField(source="get_time_limit_event_display", help_text="时限起算")
    subject = serializers.CharField(source="subject.name", allow_null=True, default=None, help_text="公开主体")
    channels = serializers.ListField(child=serializers.CharField(), help_text="公开渠道和载体（代码）")
    levels = serializers.ListField(child=serializers.CharField(), help_text="公开层级（代码）")
    audience = serializers.CharField(source="get_audience_display", help_text="公开对象")
    mode = serializers.CharField(source="get_mode_display", help_text="公开方式")
    children = serializers.SerializerMethodField(help_text="二级事项")
    document_count = serializers.SerializerMethodField(help_text="已公开的文件数（含二级事项的）")
    nil_notices = serializers.SerializerMethodField(help_text="“本期无”说明，最新的在前")
    documents_url = serializers.SerializerMethodField(help_text="本事项的文件列表（本接口）")

    @extend_schema_field(CatalogueItemRefSerializer(allow_null=True))
    def get_parent(self, node: CatalogueNode) -> dict | None:
        parent = node.parent
        if parent is None or not parent.is_active:
            return None
        return CatalogueItemRefSerializer(parent, context=self.context).data

    @extend_schema_field(CatalogueItemRefSerializer(many=True))
    def get_children(self, node: CatalogueNode) -> list[dict]:
        return CatalogueItemRefSerializer(self.context["children"], many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.INT)
    def get_document_count(self, node: CatalogueNode) -> int:
        return self.context["document_count"]

    @extend_schema_field(NilNoticeSerializer(many=True))
    def get_nil_notices(self, node: CatalogueNode) -> list[dict]:
        return NilNoticeSerializer(self.context["nil_notices"], many=True).data

    def get_documents_url(self, node: CatalogueNode) -> str:
        return absolute(self.context, "api:v1:catalogue-item-documents", node.pk)


# --- Interpretations ---------------------------------------------------------------------------------------------


class InterpretationSummarySerializer(InterpretationRefSerializer):
    organisation = OrganisationRefSerializer(help_text="解读机构")
    policy = DocumentRefSerializer(help_text="所解读的政策文件")


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="问题")
    answer = serializers.CharField(help_text="回答")


class MediaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="类型：image、audio、video、document")
    name = serializers.CharField(help_text="文件名")
    size = serializers.IntegerField(help_text="大小（字节）")
    alt_text = serializers.CharField(help_text="替代文字")
    url = serializers.SerializerMethodField(help_text="下载地址")

    def get_url(self, media: Any) -> str:
        return absolute(self.context, "disclosure:interpretation_media", media.interpretation_id, media.pk)


class InterpretationDetailSerializer(InterpretationSummarySerializer):
    speaker = serializers.CharField(help_text="解读人（可为空）")
    summary = serializers.CharField(help_text="摘要")
    body_html = serializers.CharField(source="body", help_text="解读正文（经过清洗的 HTML）")
    link = serializers.CharField(help_text="外部链接（可为空）")
    questions = QuestionSerializer(many=True, help_text="政策问答")
    media = MediaSerializer(many=True, help_text="图表、音频、视频等文件")


# --- 依申请公开目录 ----------------------------------------------------------------------------------------------


class DirectoryRowSerializer(serializers.Serializer):
    """A row of the directory: catalogue facts only, never a body or a file (R10)."""

    index_no = serializers.CharField(help_text="索引号")
    title = serializers.CharField(help_text="标题")
    document_number = serializers.CharField(help_text="文号（可为空）")
    summary = serializers.CharField(help_text="内容概述（可为空）")
    organisation = serializers.CharField(help_text="发布机构")
    written_on = serializers.CharField(help_text="成文日期（YYYY-MM-DD，可为空）")
    decided_on = serializers.CharField(help_text="审定日期（YYYY-MM-DD）")


class DirectoryIssueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField(source="get_period_display", help_text="周期：月度或季度")
    period_start = serializers.DateField(help_text="期间开始")
    period_end = serializers.DateField(help_text="期间结束")
    row_count = serializers.IntegerField(help_text="条目数")
    url = serializers.SerializerMethodField(help_text="网页地址")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_url(self, issue: Any) -> str:
        return absolute(self.context, "disclosure:on_request_issue", issue.pk)

    def get_api_url(self, issue: Any) -> str:
        return absolute(self.context, "api:v1:directory-issue-detail", issue.pk)


class DirectoryIssueDetailSerializer(DirectoryIssueSerializer):
    rows = serializers.SerializerMethodField(help_text="目录条目")

    @extend_schema_field(DirectoryRowSerializer(many=True))
    def get_rows(self, issue: Any) -> list[dict]:
        keys = ("index_no", "title", "document_number", "summary", "organisation", "written_on", "decided_on")
        return [{key: str(row.get(key) or "") for key in keys} for row in issue.rows]


# --- Annual reports ----------------------------------------------------------------------------------------------


class CellSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="单元格内容（数字也以文字给出，如“—”）")
    colspan = serializers.IntegerField(help_text="跨列数")
    rowspan = serializers.IntegerField(help_text="跨行数")
    header = serializers.BooleanField(help_text="是否为表头单元格")
    number = serializers.BooleanField(help_text="是否为数字")


class ReportTableSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="表名（二、三、四）")
    rows = serializers.ListField(child=CellSerializer(many=True), help_text="按官方格式排列的行，每行若干单元格")


class AnnualReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = OrganisationRefSerializer(help_text="机构")
    year = serializers.IntegerField(help_text="年度")
    published_at = serializers.DateTimeField(help_text="发布时间")
    url = serializers.SerializerMethodField(help_text="网页地址")
    xlsx_url = serializers.SerializerMethodField(help_text="Excel 文件")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址")

    def get_url(self, report: Any) -> str:
        return absolute(self.context, "audits:report", report.pk)

    def get_xlsx_url(self, report: Any) -> str:
        return absolute(self.context, "audits:report_xlsx", report.pk)

    def get_api_url(self, report: Any) -> str:
        return absolute(self.context, "api:v1:annual-report-detail", report.pk)


class AnnualReportDetailSerializer(AnnualReportSerializer):
    overview = serializers.CharField(help_text="一、总体情况")
    problems = serializers.CharField(help_text="五、存在的主要问题及改进情况")
    other_matters = serializers.CharField(help_text="六、其他需要报告的事项")
    tables = serializers.SerializerMethodField(help_text="表二至表四，每一个单元格（与网页和 Excel 相同）")
    fees = serializers.CharField(source="fees_sentence", help_text="信息处理费的说明")
    notes = serializers.ListField(child=serializers.CharField(), help_text="统计口径说明")
    statistics = serializers.SerializerMethodField(
        help_text="表二至表四的原始数字（table_two、table_three、table_four）"
    )

    @extend_schema_field(ReportTableSerializer(many=True))
    def get_tables(self, report: Any) -> list[dict]:
        return [
            {
                "title": str(title),
                "rows": [
                    [
                        {
                            "text": c.text,
                            "colspan": c.colspan,
                            "rowspan": c.rowspan,
                            "header": c.header,
                            "number": c.number,
                        }
                        for c in row
                    ]
                    for row in grid
                ],
            }
            for title, grid in report.grids
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_statistics(self, report: Any) -> dict:
        return {key: report.data[key] for key in ("table_two", "table_three", "table_four") if key in report.data}


# --- Emergencies -------------------------------------------------------------------------------------------------


class EmergencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="事件名称")
    organisation = OrganisationRefSerializer(help_text="发布机构")
    level = serializers.CharField(source="get_level_display", help_text="事件级别")
    category = serializers.CharField(source="get_category_display", help_text="事件类别")
    location = serializers.CharField(help_text="发生地点")
    started_at = serializers.DateTimeField(help_text="事发时间")
    first_info_at = serializers.DateTimeField(help_text="首次权威发布时间")
    press_held_at = serializers.DateTimeField(allow_null=True, help_text="首场新闻发布会时间")
    status = serializers.CharField(source="get_status_display", help_text="状态：处置中或已结束")
    url = serializers.SerializerMethodField(help_text="网页地址")
    api_url = serializers.SerializerMethodField(help_text="本接口中的地址（含时间线）")

    def get_url(self, emergency: Any) -> str:
        return absolute(self.context, "emergencies:detail", emergency.pk)

    def get_api_url(self, emergency: Any) -> str:
        return absolute(self.context, "api:v1:emergency-detail", emergency.pk)


class EmergencyUpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(source="get_kind_display", help_text="类型")
    title = serializers.CharField(help_text="标题")
    body_html = serializers.CharField(source="body", help_text="内容（经过清洗的 HTML）")
    held_at = serializers.DateTimeField(allow_null=True, help_text="新闻发布会举行时间")
    published_at = serializers.DateTimeField(help_text="发布时间")


class EmergencyDetailSerializer(EmergencySerializer):
    timeline = EmergencyUpdateSerializer(many=True, help_text="已发布的信息，按发布时间先后")


# --- Reposts -----------------------------------------------------------------------------------------------------


class RepostSerializer(serializers.Serializer):
    document = serializers.SerializerMethodField(help_text="本站转载发布的文件")
    source = serializers.SerializerMethodField(help_text="转载来源")

    @extend_schema_field(DocumentSummarySerializer)
    def get_document(self, document: Document) -> dict:
        return DocumentSummarySerializer(document, context=self.context).data

    @extend_schema_field(RepostFactsSerializer)
    def get_source(self, document: Document) -> dict:
        return RepostFactsSerializer(document.repost).data
