"""The statistics as the API gives them: the snapshot of a scope and one of its periods, field by field, so the
OpenAPI schema describes every number."""

from __future__ import annotations

from rest_framework import serializers


class PeriodChoiceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="recent（近12个月）或年份")
    label = serializers.CharField()


class OpenCasesSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="统计时尚在办理的申请（已收到）")
    overdue = serializers.IntegerField(help_text="其中已超过答复期限的")


class SectionsSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    execution = serializers.IntegerField()
    management = serializers.IntegerField()
    service = serializers.IntegerField()
    result = serializers.IntegerField()
    key_area = serializers.IntegerField()
    statutory = serializers.IntegerField()
    none = serializers.IntegerField(help_text="未编入公开目录")


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = serializers.IntegerField()
    replied = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    extensions = serializers.IntegerField()
    corrections = serializers.IntegerField()
    documents = serializers.IntegerField()
    sections = SectionsSerializer(help_text="当月主动公开的文件按公开类别；一件文件编入多个类别时各计一次")


class ApplicationsSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    concluded = serializers.IntegerField()
    replied = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_time_percent = serializers.FloatField(allow_null=True)
    median_days = serializers.IntegerField(
        allow_null=True, help_text="答复用时中位数（工作日）；答复少于 5 件时为 null"
    )
    p90_days = serializers.IntegerField(
        allow_null=True, help_text="答复用时第 90 百分位（工作日）；答复少于 5 件时为 null"
    )
    extensions = serializers.IntegerField()
    corrections = serializers.IntegerField()


class OutcomeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="年度报告表三的行")
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReviewSerializer(serializers.Serializer):
    part = serializers.ChoiceField(choices=["review", "litigation_direct", "litigation_after_review"])
    label = serializers.CharField()
    upheld = serializers.IntegerField()
    corrected = serializers.IntegerField()
    other = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()


class SectionCountSerializer(serializers.Serializer):
    section = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class DocumentsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_section = SectionCountSerializer(many=True)
    dated = serializers.IntegerField(help_text="有成文日期的文件数")
    average_delay_days = serializers.FloatField(allow_null=True, help_text="成文至发布平均工作日")
    within_limit = serializers.IntegerField(help_text="20 个工作日内发布的文件数")
    within_limit_percent = serializers.FloatField(allow_null=True)


class InterpretationsSerializer(serializers.Serializer):
    policies = serializers.IntegerField()
    interpreted = serializers.IntegerField()
    uninterpreted = serializers.IntegerField()
    interpretations = serializers.IntegerField()


class OrganisationRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    replied = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_time_percent = serializers.FloatField(allow_null=True)
    median_days = serializers.IntegerField(allow_null=True)
    documents = serializers.IntegerField()
    average_delay_days = serializers.FloatField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    months = MonthSerializer(many=True)
    applications = ApplicationsSerializer()
    outcomes = OutcomeSerializer(many=True)
    reviews = ReviewSerializer(many=True)
    documents = DocumentsSerializer()
    interpretations = InterpretationsSerializer()
    organisations = OrganisationRowSerializer(many=True, required=False, help_text="仅全局统计：各机构的主要数字")


class StatisticsOrganisationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="all 或机构代码")
    organisation = StatisticsOrganisationSerializer(allow_null=True)
    computed_at = serializers.DateTimeField(help_text="数据截至")
    periods = PeriodChoiceSerializer(many=True)
    open = OpenCasesSerializer()
    period = PeriodSerializer()
