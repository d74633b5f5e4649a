"""The annual report at scale (issue 15): Table 三 is counted in the database from the year's applications and the
ones open across it, and nothing else is read; its numbers are those of the record-by-record count it replaced,
cell by cell; a draft's numbers are cached until a record of that year changes."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import AnnualReport
from audits.reports import report_create, report_data
from audits.tables import (
    APPLICANT_COLUMNS,
    CARRIED_IN,
    CARRIED_OUT,
    COLUMNS,
    NEW,
    RESULT_TOTAL,
    TABLE_THREE_ROWS,
    concluded_on,
    scope_of,
    table_three,
    year_cases,
)
from audits.xlsx import report_xlsx
from catalog.models import Organisation
from requests_app.models import REPORT_ROWS, InformationRequest
from tests.test_annual_report import gov, year_2025  # noqa: F401  (fixtures)

Status = InformationRequest.Status


def counted_one_by_one(*, scope: list[int], year: int) -> tuple[dict, list[str], set[int]]:
    """The record-by-record count the report used before (every application received by the year's end, read one
    by one): the reference the SQL count must equal. Also returns the cases that count in the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = {code: [0] * len(COLUMNS) for code in TABLE_THREE_ROWS}
    unclassified, counted = [], set()
    cases = InformationRequest.objects.filter(organisation_id__in=scope, received_on__lte=last)
    for record in cases.order_by("pk"):
        received, concluded = record.received_on, concluded_on(record)
        column = APPLICANT_COLUMNS.index(record.applicant_type)

        def count(code: str, column: int = column) -> None:
            rows[code][column] += 1
            rows[code][-1] += 1

        if received >= first:
            count(NEW)
        elif concluded is None or concluded >= first:
            count(CARRIED_IN)
        else:
            continue
        counted.add(record.pk)
        if concluded is not None and first <= concluded <= last:
            code = REPORT_ROWS.get(record.outcome)
            if code in rows:
                count(code)
                count(RESULT_TOTAL)
            else:
                unclassified.append(record.tracking_code)
        elif concluded is None or concluded > last:
            count(CARRIED_OUT)
        else:
            unclassified.append(record.tracking_code)
    return rows, unclassified, counted


def old_years(organisation: Organisation, n: int) -> None:
    """``n`` applications received and replied in 2019–2021: years the 2025 report must not read."""
    InformationRequest.objects.bulk_create(
        [
            InformationRequest(
                organisation=organisation,
                tracking_code=f"OLD-{i:04d}",
                secret_hash="0" * 64,
                applicant_type="natural",
                applicant_name="某申请人",
                id_type="resident_id",
                id_number="11010519491231002X",
                phone="13800000000",
                description="某信息",
                information_form="electronic",
                delivery="online",
                status=Status.REPLIED,
                outcome="open",
                received_on=dt.date(2019 + i % 3, 3, 1),
                replied_on=dt.date(2019 + i % 3, 3, 20),
            )
            for i in range(n)
        ]
    )


def rows_read(queries: list[dict]) -> int:
    """Rows of the applications table that ``queries`` take from it, by their plans (EXPLAIN ANALYZE): the rows
    each scan returns plus those it read and threw away (filter, recheck)."""
    table, total = InformationRequest._meta.db_table, 0

    def walk(node: dict) -> int:
        own = 0
        if node.get("Relation Name") == table:
            own = (
                node["Actual Rows"]
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            )
        return own + sum(walk(child) for child in node.get("Plans", []))

    with connection.cursor() as cursor:
        for query in queries:
            if table in query["sql"] and query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
                total += walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return total


def test_r31_table_three_equals_the_record_by_record_count_cell_by_cell(year_2025, gov, org_a, org_b, clock):
    clock("2026-11-30 10:00")
    call_command("load_demo", stdout=open("/dev/null", "w"))  # the demo's years of applications, next to the fixture's
    InformationRequest.objects.filter(tracking_code="Y-07").update(outcome="")  # withdrawn without an outcome
    InformationRequest.objects.filter(tracking_code="Y-05").update(replied_on=dt.date(2025, 6, 1))  # before receipt
    InformationRequest.objects.filter(tracking_code="Y-10").update(replied_on=None)  # replied in 2024, date lost
    organisations = [gov, org_a, org_b, *Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT)]
    years = range(2019, 2028)
    compared = 0
    for organisation in organisations:
        scope = scope_of(organisation)
        for year in years:
            rows, unclassified, counted = counted_one_by_one(scope=scope, year=year)
            assert table_three(scope=scope, year=year) == {"rows": rows, "unclassified": unclassified}, (
                organisation,
                year,
            )
            assert set(year_cases(scope=scope, year=year).values_list("pk", flat=True)) == counted
            compared += len(counted)
    assert compared > 50
    rows, unclassified, _counted = counted_one_by_one(scope=scope_of(org_a), year=2025)
    assert unclassified == ["Y-07"] and rows[NEW][-1] == 8 and rows[CARRIED_IN][-1] == 2  # Y-01, and Y-10 undated


def test_r31_a_year_reads_only_its_applications_and_those_open_across_it(year_2025, org_a):
    old_years(org_a, 400)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE requests_app_informationrequest")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be read whole by choice
    scope = scope_of(org_a)
    _rows, _unclassified, counted = counted_one_by_one(scope=scope, year=2025)
    everywhere = set()  # the same rule over every organisation: the index does not know the scope
    for organisation in Organisation.objects.all():
        everywhere |= counted_one_by_one(scope=[organisation.pk], year=2025)[2]
    with CaptureQueriesContext(connection) as queries:
        table_three(scope=scope, year=2025)
    # Where the still open cases begin: the first entry of an index, one row at most per probe.
    probes = [q for q in queries.captured_queries if q["sql"].startswith("SELECT MIN(")]
    assert probes and all(rows_read([probe]) <= 1 for probe in probes)
    counting = [q for q in queries.captured_queries if q not in probes]
    assert len(counted) <= rows_read(counting) <= len(everywhere) < InformationRequest.objects.count() - 400


def test_r30_a_cached_draft_is_recomputed_after_a_record_of_its_year_changes_and_not_otherwise(
    year_2025, org_a, office
):
    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    first = report_data(report)
    assert report_data(report)["computed_at"] == first["computed_at"]  # viewed again: the cached numbers
    report_xlsx(AnnualReport.objects.get(pk=report.pk))  # the XLSX of the draft reads the same cache
    assert report_data(report)["computed_at"] == first["computed_at"]

    # Records of other years: concluded in 2024, received in 2026, another organisation's.
    InformationRequest.objects.filter(tracking_code="Y-10").update(outcome="partial")
    InformationRequest.objects.filter(tracking_code="Y-11").update(applicant_type="business")
    InformationRequest.objects.filter(tracking_code="Y-13").update(outcome="partial")
    old_years(org_a, 3)
    assert report_data(report)["computed_at"] == first["computed_at"]

    # A record of 2025 changes, even behind the services' back: the draft is counted again.
    InformationRequest.objects.filter(tracking_code="Y-02").update(outcome="partial")
    changed = report_data(report)
    assert changed["computed_at"] != first["computed_at"]
    assert changed["table_three"]["（二）"][-1] == first["table_three"]["（二）"][-1] + 1
    assert report_data(report)["computed_at"] == changed["computed_at"]
    # A case received in 2026 moved back into 2025 joins the year: counted again.
    InformationRequest.objects.filter(tracking_code="Y-11").update(received_on=dt.date(2025, 12, 30))
    assert report_data(report)["table_three"][NEW][-1] == first["table_three"][NEW][-1] + 1
    assert first["table_three"][CARRIED_IN] == changed["table_three"][CARRIED_IN]
    assert report_data(report)["table_three"][CARRIED_OUT][-1] == changed["table_three"][CARRIED_OUT][-1] + 1
