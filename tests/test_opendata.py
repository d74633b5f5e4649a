"""Open data (issue 17 §3): the nightly bulk files of public documents' metadata and of the annual reports' tables,
their page, listing and downloads; that nothing non-public is ever exported; that a failed or concurrent run leaves
one consistent generation."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from auditlog.models import AuditEvent
from audits.models import AnnualReport
from audits.reports import report_create, report_publish, report_update
from audits.selectors import report_grids
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.services import document_return, document_submit, document_withdraw
from opendata.models import ExportFile
from opendata.selectors import DOCUMENT_FIELDS, REPORT_CELL_FIELDS
from opendata.services import LOCK_NAME, open_data_export
from opendata.tasks import export_open_data
from ops.models import JobRun
from tests.conftest import run_twice_at_once, wait_for

SECRET = "内部绝密整治方案"
NAMES = {"documents.csv", "documents.jsonl", "annual-report-cells.csv", "annual-report-cells.jsonl"}


@pytest.fixture
def export_dir(settings, tmp_path) -> Path:
    settings.GOVOPEN_OPEN_DATA_DIR = tmp_path / "opendata"
    return settings.GOVOPEN_OPEN_DATA_DIR


@pytest.fixture
def export(export_dir, django_capture_on_commit_callbacks):
    """Run the export as the nightly job does, its after-commit work included; returns the rows by name."""

    def run() -> dict[str, ExportFile]:
        with django_capture_on_commit_callbacks(execute=True):
            files = open_data_export()
        assert files is not None
        return {f.name: f for f in files}

    return run


def path_of(row: ExportFile) -> Path:
    from django.conf import settings

    return Path(settings.GOVOPEN_OPEN_DATA_DIR) / row.stored_name


def csv_rows(row: ExportFile) -> list[list[str]]:
    with open(path_of(row), encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def jsonl_records(row: ExportFile) -> list[dict]:
    return [json.loads(line) for line in path_of(row).read_text(encoding="utf-8").splitlines()]


def everything_exported(rows: dict[str, ExportFile]) -> str:
    return "".join(path_of(row).read_bytes().decode("utf-8-sig") for row in rows.values())


@pytest.fixture
def public_document(org_a, drafter_a, reviewer_a, make_document, publish, node_a, topic):
    document = make_document(
        org_a,
        drafter_a,
        nodes=[node_a],
        topic=topic,
        title='关于"市容环境"整治的通知，第二批',
        document_number="甲城管〔2026〕7号",
        keywords="市容 整治",
        summary="第一行，含逗号\n第二行",
    )
    return publish(document, drafter_a, reviewer_a)


def publish_report(organisation, office, *, year: int = 2025, fees: str = "1.25") -> AnnualReport:
    report = report_create(organisation=organisation, year=year, actor=office, today=dt.date(year + 1, 1, 5))
    report = report_update(
        report=report,
        actor=office,
        changes={
            "overview": "本年度依法做好政府信息公开工作。",
            "problems": "个别栏目更新不及时，已整改。",
            "admin_fees_wan": Decimal(fees),
        },
    )
    return report_publish(report=report, actor=office)


# --- The files ----------------------------------------------------------------------------------------------------


def test_documents_csv_is_utf8_with_bom_and_parses_back_with_the_csv_module(export, public_document):
    rows = export()
    raw = path_of(rows["documents.csv"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    header, *data = csv_rows(rows["documents.csv"])
    assert header == [str(field.label) for field in DOCUMENT_FIELDS]
    assert len(data) == 1 and rows["documents.csv"].rows == 1
    record = dict(zip(header, data[0], strict=True))
    assert record["索引号"] == public_document.index_no
    assert record["标题"] == '关于"市容环境"整治的通知，第二批'  # quotes and a comma survive the round trip
    assert record["内容概述"] == "第一行，含逗号\n第二行"  # a line break inside a quoted field
    assert record["机构代码"] == "A001" and record["发布机构"] == "甲市城市管理局"
    assert record["文号"] == "甲城管〔2026〕7号" and record["成文日期"] == "2026-11-02"
    assert record["主题分类"] == "城市管理" and record["公开类别"] == "结果公开" and record["目录事项"] == "工作动态"
    assert record["有效性"] == "有效" and record["废止日期"] == "" and record["主题词"] == "市容 整治"
    published = timezone.localtime(public_document.published_at)
    assert record["发布日期"] == published.date().isoformat()
    assert record["发布时间"] == published.isoformat(timespec="seconds") and record["发布时间"].endswith("+08:00")
    assert record["网址"].endswith(reverse("disclosure:document", args=public_document.index_path))
    assert b"\r\n" in raw  # RFC 4180 line ends
    assert SECRET not in raw.decode("utf-8-sig") and "为进一步改善市容环境" not in raw.decode("utf-8-sig")  # no body


def test_documents_jsonl_has_one_object_per_line_without_bom(export, public_document):
    rows = export()
    raw = path_of(rows["documents.jsonl"]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
    records = jsonl_records(rows["documents.jsonl"])
    assert len(records) == rows["documents.jsonl"].rows == 1
    record = records[0]
    assert list(record) == [field.key for field in DOCUMENT_FIELDS]
    assert record["index_no"] == public_document.index_no and record["sections"] == ["结果公开"]
    assert record["catalogue_items"] == ["工作动态"] and record["repealed_on"] is None
    assert record["summary"] == "第一行，含逗号\n第二行"
    assert "市容环境" in raw.decode()  # UTF-8 text, not \u escapes


def test_the_recorded_sha256_size_and_rows_are_those_of_the_files(export, public_document, org_a, office):
    publish_report(org_a, office)
    rows = export()
    assert set(rows) == NAMES
    for row in rows.values():
        content = path_of(row).read_bytes()
        assert row.sha256 == hashlib.sha256(content).hexdigest(), row.name
        assert row.size == len(content) == os.path.getsize(path_of(row))
        lines = csv_rows(row)[1:] if row.format == "csv" else jsonl_records(row)
        assert row.rows == len(lines), row.name
    assert ExportFile.objects.count() == 4
    assert rows["annual-report-cells.csv"].rows == 200  # Table 二 10 cells, 三 25 rows × 7, 四 15


def test_r30_every_cell_of_tables_two_to_four_is_exported_in_the_official_order(export, org_a, office):
    report = publish_report(org_a, office, fees="1.25")
    records = jsonl_records(export()["annual-report-cells.jsonl"])
    assert {r["organisation_code"] for r in records} == {"A001"} and {r["year"] for r in records} == {2025}
    assert {r["organisation_name"] for r in records} == {"甲市城市管理局"}
    assert records[0]["report_url"].endswith(reverse("audits:report", args=[report.pk]))
    # The numbers are the cells of the grids the report page and XLSX print, one for one and in the same order.
    printed = [
        cell.text for _title, grid in report_grids(report, report.data) for row in grid for cell in row if cell.number
    ]
    assert [str(r["value"]) for r in records] == printed
    fee = next(r for r in records if r["row_code"] == "admin_fees")
    assert (fee["table"], fee["value"], fee["unit"]) == ("表二", 1.25, "万元")
    new_total = next(r for r in records if r["row_code"] == "new" and r["column_code"] == "total")
    assert new_total["table"] == "表三" and new_total["row"] == "一、本年新收政府信息公开申请数量"
    assert new_total["column"] == "总计" and new_total["value"] == 0
    withheld = next(r for r in records if r["row_code"] == "（三）1" and r["column_code"] == "natural")
    assert withheld["row"] == "三、本年度办理结果 （三）不予公开 1.属于国家秘密" and withheld["column"] == "自然人"
    assert {r["row"] for r in records if r["table"] == "表四"} == {
        "行政复议",
        "行政诉讼 未经复议直接起诉",
        "行政诉讼 复议后起诉",
    }
    header, *cells = csv_rows(ExportFile.objects.get(name="annual-report-cells.csv"))
    assert header == [str(field.label) for field in REPORT_CELL_FIELDS] and len(cells) == 200
    assert dict(zip(header, next(c for c in cells if c[6] == "admin_fees"), strict=True))["数值"] == "1.25"


# --- Nothing non-public -------------------------------------------------------------------------------------------


@pytest.fixture
def not_public(org_a, org_b, drafter_a, reviewer_a, office, make_document, publish, node_a, imported):
    """A document in every state that must stay private, each with a catalogue item and a secret in its body."""

    def make(**changes):
        return make_document(org_a, drafter_a, nodes=[node_a], body=SECRET, summary=SECRET, **changes)

    draft = make(title="草稿件")
    in_review = make(title="待审件")
    document_submit(document=in_review, actor=drafter_a)
    returned = make(title="退回件")
    document_submit(document=returned, actor=drafter_a)
    document_return(document=returned, actor=reviewer_a, reason="请修改")
    on_request = publish(
        make(title="依申请件", attribute="on_request", ground=Ground.THIRD_PARTY, reason="第三方"),
        drafter_a,
        reviewer_a,
    )
    withheld = publish(
        make(title="不予公开件", attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部事务"),
        drafter_a,
        reviewer_a,
    )
    scheduled = publish(make(title="定时件"), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(days=30))
    withdrawn = publish(make(title="撤回件"), drafter_a, reviewer_a)
    document_withdraw(document=withdrawn, actor=office, reason="有误")
    inactive = imported("停用机构件", at="2025-06-01 10:00", organisation=org_b, nodes=[], summary=SECRET)
    org_b.is_active = False
    org_b.save()
    documents = [draft, in_review, returned, on_request, withheld, scheduled, withdrawn, inactive]
    assert [d.status for d in Document.objects.filter(pk__in=[d.pk for d in documents]).order_by("pk")] == [
        "draft",
        "in_review",
        "returned",
        "approved",
        "approved",
        "approved",
        "withdrawn",
        "published",
    ]
    return documents


def test_r5_r10_nothing_that_is_not_public_is_ever_exported(export, not_public, public_document, org_a, org_b, office):
    report_create(organisation=org_a, year=2024, actor=office, today=dt.date(2025, 1, 5))  # a draft report
    org_b.is_active = True
    org_b.save()
    publish_report(org_b, office)  # published, then its organisation is deactivated
    org_b.is_active = False
    org_b.save()
    rows = export()
    text = everything_exported(rows)
    for document in not_public:
        assert document.title not in text, document.title
        assert document.index_no not in text, document.index_no
    assert SECRET not in text
    assert [r["index_no"] for r in jsonl_records(rows["documents.jsonl"])] == [public_document.index_no]
    assert rows["annual-report-cells.jsonl"].rows == 0 and rows["annual-report-cells.csv"].rows == 0
    assert "B002" not in text and "2024" not in "".join(r[2] for r in csv_rows(rows["annual-report-cells.csv"]))


def test_a_withdrawn_document_leaves_the_next_generation(export, public_document, office):
    assert export()["documents.csv"].rows == 1
    document_withdraw(document=public_document, actor=office, reason="有误")
    rows = export()
    assert rows["documents.csv"].rows == 0 and public_document.index_no not in everything_exported(rows)


# --- Generations, failures and concurrency --------------------------------------------------------------------------


def directory_state(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def rows_state() -> list[tuple]:
    return list(ExportFile.objects.order_by("name").values_list("name", "stored_name", "sha256", "size", "rows"))


def test_a_new_generation_replaces_the_files_and_removes_the_old_ones(export, export_dir, public_document, imported):
    first = export()
    imported("第二份公开文件", at="2025-06-01 10:00")
    second = export()
    assert second["documents.csv"].rows == 2
    assert second["documents.csv"].stored_name != first["documents.csv"].stored_name
    # The directory holds exactly the files the rows name: the old generation is gone, no temporary file is left.
    assert set(directory_state(export_dir)) == {row.stored_name for row in second.values()}
    # What a run killed mid-way leaves (a temporary file, a renamed generation no row names) goes with the next run;
    # a file that is not ours stays.
    for name in (".tmp-k1ll3d", "documents-20200101T000000-aaaaaaaaaaaa.csv", "README.txt"):
        (export_dir / name).write_text("x")
    third = export()
    assert set(directory_state(export_dir)) == {row.stored_name for row in third.values()} | {"README.txt"}


def test_a_failing_run_keeps_the_previous_files_and_rows(export, export_dir, public_document, imported, org_a, office):
    report = publish_report(org_a, office)
    export()
    before_rows, before_files = rows_state(), directory_state(export_dir)
    imported("失败时新增的文件", at="2025-06-01 10:00")
    # A real failure in the middle of a run: the documents' files are written, then a report whose stored numbers
    # cannot be read (written past the model, which refuses them) breaks the second data set.
    AnnualReport.objects.filter(pk=report.pk).update(data={"year": 2025})
    with pytest.raises(KeyError):
        open_data_export()
    assert rows_state() == before_rows
    assert directory_state(export_dir) == before_files  # the old files as they were, nothing new left behind


def test_an_unwritable_directory_fails_the_run_and_changes_nothing(export, export_dir, public_document, settings):
    export()
    before_rows = rows_state()
    blocker = export_dir.parent / "a-file"
    blocker.write_text("not a directory")
    settings.GOVOPEN_OPEN_DATA_DIR = blocker / "opendata"
    with pytest.raises(OSError):
        open_data_export()
    assert rows_state() == before_rows
    settings.GOVOPEN_OPEN_DATA_DIR = export_dir
    assert all(path_of(row).exists() for row in ExportFile.objects.all())


def test_a_run_finding_another_in_progress_does_nothing(transactional_db, export_dir, public_document):
    import zlib

    other = connections.create_connection("default")  # another session holds the export's lock mid-run
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(LOCK_NAME.encode())])
            assert open_data_export() is None
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert not ExportFile.objects.exists() and not list(export_dir.iterdir())
    assert open_data_export() is not None and ExportFile.objects.count() == 4


def test_two_runs_at_once_leave_one_consistent_generation(transactional_db, export_dir, public_document):
    results = run_twice_at_once(open_data_export)
    assert any(result is not None for result in results)
    rows = {row.name: row for row in ExportFile.objects.all()}
    assert set(rows) == NAMES
    assert directory_state(export_dir) == {row.stored_name: row.sha256 for row in rows.values()}
    assert rows["documents.csv"].rows == rows["documents.jsonl"].rows == 1


# --- Downloads, page and listing -----------------------------------------------------------------------------------


def test_download_streams_the_file_with_its_headers(export, public_document, citizen):
    row = export()["documents.csv"]
    response = citizen.get(reverse("opendata:file", args=["documents.csv"]))
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == row.sha256
    assert response["Content-Length"] == str(row.size) == str(len(body))
    assert response["Content-Disposition"] == 'attachment; filename="documents.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["ETag"] == f'"{row.sha256}"' and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, no-cache"
    again = citizen.get(reverse("opendata:file", args=["documents.csv"]), HTTP_IF_NONE_MATCH=f'"{row.sha256}"')
    assert again.status_code == 304 and again["ETag"] == f'"{row.sha256}"'
    jsonl = citizen.get(reverse("opendata:file", args=["documents.jsonl"]))
    assert jsonl["Content-Type"] == "application/jsonl; charset=utf-8"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()  # the public's downloads: no rows


def test_a_staff_download_is_recorded_like_an_export(export, public_document, office, login):
    export()
    response = login(office).get(reverse("opendata:file", args=["documents.csv"]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.summary, event.object_type) == ("documents.csv", "opendata.exportfile")


def test_unknown_names_and_paths_answer_404(export, export_dir, public_document, citizen):
    assert citizen.get("/open-data/files/documents.csv").status_code == 404  # nothing exported yet
    row = export()["documents.csv"]
    (export_dir / "secret.csv").write_text("x")
    for url in (
        "/open-data/files/nothing.csv",
        "/open-data/files/secret.csv",
        "/open-data/files/documents.xlsx",
        f"/open-data/files/{row.stored_name}",
        "/open-data/files/..%2F..%2Fmanage.py",
        "/open-data/files/%2e%2e/documents.csv",
        "/open-data/files/../settings.py",
        "/open-data/files/DOCUMENTS.CSV",
    ):
        assert citizen.get(url).status_code == 404, url
    path_of(row).unlink()  # a file lost on disk: a 404, never a 500
    assert citizen.get("/open-data/files/documents.csv").status_code == 404


@pytest.fixture
def exported(export, public_document):
    return export()


@hypothesis_settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    segment=st.one_of(
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60).map(lambda text: quote(text, safe="")),
        st.binary(max_size=40).map(lambda raw: quote(raw, safe="")),
        st.sampled_from(
            ["documents.csv", "..", ".", "%ED%A0%80", "documents.csv%00", "documents.csv/", "a" * 41 + ".csv"]
        ),
    )
)
def test_no_file_name_is_answered_with_a_5xx(exported, citizen, segment):
    response = citizen.get("/open-data/files/" + segment)
    assert response.status_code in ((200,) if segment == "documents.csv" else (301, 400, 404)), segment


def test_the_open_data_page_lists_each_file_with_its_facts(export, public_document, citizen):
    empty = citizen.get(reverse("opendata:index"))
    assert empty.status_code == 200 and "数据文件尚未生成" in empty.content.decode()
    rows = export()
    page = citizen.get(reverse("opendata:index")).content.decode()
    assert "<h1>开放数据</h1>" in page and "<script" not in page
    for row in rows.values():
        assert reverse("opendata:file", args=[row.name]) in page
        assert row.sha256 in page
    csv_row = rows["documents.csv"]
    generated = timezone.localtime(csv_row.generated_at).strftime("%Y-%m-%d %H:%M")
    assert generated in page  # Beijing time
    assert re.search(r'<th scope="row">大小</th><td>\d+(\.\d)?\xa0(字节|KB)</td>', page)  # human-readable size
    assert '<th scope="row">数据行数</th><td>1</td>' in page  # row count of the documents
    assert "sha256sum documents.csv" in page and "使用说明" in page
    for field in DOCUMENT_FIELDS + REPORT_CELL_FIELDS:
        assert f"<code>{field.key}</code>" in page
    assert "CSV（UTF-8，带 BOM，可用 Excel 打开）" in page


@pytest.mark.usefixtures("fresh_cache")
def test_the_cached_page_is_retired_when_a_new_generation_is_published(export, public_document, citizen, settings):
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    assert "数据文件尚未生成" in citizen.get(reverse("opendata:index")).content.decode()
    assert "数据文件尚未生成" in citizen.get(reverse("opendata:index")).content.decode()  # served from the cache
    row = export()["documents.csv"]
    assert row.sha256 in citizen.get(reverse("opendata:index")).content.decode()


def test_the_json_listing_gives_urls_checksums_and_the_data_dictionary(export, public_document, citizen):
    rows = export()
    response = citizen.get("/api/v1/open-data/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    content = response.json()
    files = {f["name"]: f for f in content["files"]}
    assert set(files) == NAMES
    listed = files["documents.csv"]
    assert listed["sha256"] == rows["documents.csv"].sha256 and listed["rows"] == 1
    assert listed["size"] == rows["documents.csv"].size and listed["generated_at"].endswith("+08:00")
    assert listed["url"] == "http://testserver/open-data/files/documents.csv"
    keys = {d["dataset"]: [f["key"] for f in d["fields"]] for d in content["datasets"]}
    assert keys["documents"] == [f.key for f in DOCUMENT_FIELDS]
    assert response["ETag"] and response["Cache-Control"].startswith("public, max-age=")  # the API's own policy
    assert citizen.get("/api/v1/open-data/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


# --- The job and the command ----------------------------------------------------------------------------------------


def test_the_task_records_its_run_and_is_safe_to_run_twice(
    export_dir, public_document, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export_open_data.apply()
    first = rows_state()
    with django_capture_on_commit_callbacks(execute=True):
        export_open_data.apply()
    # The same names and the same bytes (sha256, size, rows): only the generation's stored names may differ.
    assert [(r[0], *r[2:]) for r in rows_state()] == [(r[0], *r[2:]) for r in first]
    runs = list(JobRun.objects.filter(name="open-data-export").values_list("status", "summary"))
    assert [status for status, _summary in runs] == ["succeeded", "succeeded"]
    assert "documents.csv 1 rows" in runs[0][1]
    assert len(list(export_dir.iterdir())) == 4


@pytest.mark.worker
def test_the_nightly_task_runs_in_a_real_worker(start_worker, export_dir, public_document):
    queue = start_worker(GOVOPEN_OPEN_DATA_DIR=str(export_dir))
    export_open_data.apply_async(queue=queue)
    assert wait_for(lambda: JobRun.objects.filter(name="open-data-export", status="succeeded").exists())
    row = ExportFile.objects.get(name="documents.csv")
    assert row.rows == 1 and hashlib.sha256(path_of(row).read_bytes()).hexdigest() == row.sha256


def test_the_command_publishes_and_its_dry_run_writes_files_only(
    export_dir, public_document, tmp_path, django_capture_on_commit_callbacks
):
    dry = tmp_path / "dry"
    dry.mkdir()
    out = io.StringIO()
    call_command("opendata_export", "--to", str(dry), stdout=out)
    assert sorted(p.name for p in dry.iterdir()) == sorted(NAMES)
    assert "rows=1" in out.getvalue() and "peak_rss_mib=" in out.getvalue()
    assert not ExportFile.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("opendata_export", stdout=out)
    row = ExportFile.objects.get(name="documents.csv")
    assert row.sha256 in out.getvalue()
    assert hashlib.sha256((dry / "documents.csv").read_bytes()).hexdigest() == row.sha256  # same data, same bytes


def test_the_export_reads_documents_in_chunks_with_one_query_per_chunk(imported, django_assert_num_queries):
    from opendata.selectors import document_records

    for n in range(5):
        imported(f"文件{n}", at="2025-06-01 10:00")
    with transaction.atomic(), django_assert_num_queries(4):  # one cursor, then the catalogue items of each chunk
        records = list(document_records(now=timezone.now(), chunk_size=2))
    assert [r["title"] for r in records] == [f"文件{n}" for n in range(5)]
    assert all(r["catalogue_items"] == ["工作动态"] for r in records)
    # Where server-side cursors are disabled (pgbouncer in transaction mode): keyset pages, the same records.
    with django_assert_num_queries(6):  # three pages (the last one short) and their catalogue items
        assert list(document_records(now=timezone.now(), chunk_size=2, keyset=True)) == records


def test_row_counts_are_grouped_by_thousands_on_the_page(export, public_document, citizen):
    export()
    ExportFile.objects.filter(name="documents.csv").update(rows=1_000_000, size=309_650_422)
    page = citizen.get(reverse("opendata:index")).content.decode()
    assert '<th scope="row">数据行数</th><td>1,000,000</td>' in page
    assert "295.3\xa0MB" in page


@pytest.mark.browser
def test_the_open_data_page_passes_axe_fits_a_phone_and_is_valid_html(
    export, public_document, live_server, browser, tmp_path
):
    from tests.test_browser_access import axe_context, axe_violations, nu_errors

    export()
    url = live_server.url + reverse("opendata:index")
    failures, overflowing = [], []
    for mode, width in (("", 1280), ("elder", 390), ("contrast.hant", 320)):
        context = axe_context(browser, viewport={"width": width, "height": 800})
        if mode:
            context.add_cookies([{"name": "govopen_display", "value": mode, "url": live_server.url}])
        page = context.new_page()
        assert page.goto(url).status == 200
        failures += [f"[{mode or 'plain'}] {v}" for v in axe_violations(page)]
        if page.evaluate("document.documentElement.scrollWidth") > width:
            overflowing.append((mode, width))
        context.close()
    assert failures == [] and overflowing == []
    if os.environ.get("GOVOPEN_VNU_JAR"):
        from django.test import Client

        assert nu_errors({"open_data": Client().get(reverse("opendata:index")).content.decode()}, tmp_path) == []


def test_a_relative_export_directory_stops_start_up_with_its_name():
    from tests.test_settings import manage

    result = manage("check", GOVOPEN_OPEN_DATA_DIR="var/opendata")
    assert result.returncode == 2 and "GOVOPEN_OPEN_DATA_DIR" in result.stderr and "绝对路径" in result.stderr
    assert "Traceback" not in result.stderr


# --- A withdrawal after the files were made ------------------------------------------------------------------------


def test_r5_a_withdrawal_takes_the_files_offline_until_the_refresh_job_rebuilds_them(
    export,
    public_document,
    office,
    citizen,
    django_capture_on_commit_callbacks,
):
    from opendata.tasks import refresh_stale_open_data

    export()
    url = reverse("opendata:file", args=["documents.csv"])
    assert citizen.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        refresh_stale_open_data()  # nothing withdrawn: no new generation, no run recorded
    assert not JobRun.objects.filter(name="open-data-refresh").exists()

    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=public_document, actor=office, reason="错误发布")
    refused = citizen.get(url)
    assert refused.status_code == 503 and refused["Retry-After"] and refused["Cache-Control"] == "no-store"
    assert "正在重新生成" in refused.content.decode()
    assert "正在重新生成" in citizen.get(reverse("opendata:index")).content.decode()
    listed = {f["name"]: f for f in citizen.get("/api/v1/open-data/").json()["files"]}
    assert listed["documents.csv"]["available"] is False
    assert listed["annual-report-cells.csv"]["available"] is True  # no report was withdrawn
    assert citizen.get(reverse("opendata:file", args=["annual-report-cells.csv"])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        refresh_stale_open_data()
    rebuilt = citizen.get(url)
    assert rebuilt.status_code == 200
    content = b"".join(rebuilt.streaming_content).decode("utf-8-sig")
    assert public_document.title not in content and ExportFile.objects.get(name="documents.csv").rows == 0
    assert JobRun.objects.filter(name="open-data-refresh").count() == 1
