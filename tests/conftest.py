"""Personas and real services for the test suite. Run through ``bash scripts/test``, which starts them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from catalog.models import Organisation
from catalog.roles import OfficeRole, Role
from catalog.services import calendar_load_package, office_role_grant, organisation_save, role_grant
from core.actors import System
from core.errors import Problems


def pytest_configure(config: pytest.Config) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine and not os.environ.get("GOVOPEN_ALLOW_SQLITE_TESTS"):
        raise pytest.UsageError(
            "The tests prove the rules on PostgreSQL and Redis: run them with `bash scripts/test`, "
            "which starts both (or set DATABASE_URL and REDIS_URL yourself)."
        )
    # Every persona signs in with a password: PBKDF2's 600,000 rounds cost 0.6 s a user, which is the point in
    # production and nothing but time here. Production's hasher is proved by scripts/prod-smoke.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _separate_xdist_workers()
    _measure_started_processes(config)
    _scan_static_files_once()
    _flush_by_deleting()


# What the flush after a transactional test leaves in place: the rows post_migrate would write back as they were (it
# then finds them all and writes nothing).
FLUSH_KEEPS = frozenset({"django_content_type", "auth_permission"})


def _flush_by_deleting() -> None:
    """Django empties the database after each transactional test, and the demo's fixtures empty it with the flush
    command: one TRUNCATE of every table (restarting their sequences, for the command), then post_migrate writes the
    content types and permissions back. TRUNCATE gives every table and index new files, half a second to a second for
    the ~130 tables, some 60 times a whole run (35 s of PostgreSQL's time, measured with pg_stat_statements, and the
    other workers held back). Here the rows are deleted instead, a fifth of the time. After a test (sequences left as
    they are) the content types and permissions are kept; the command's flush empties them too and restarts the
    sequences of the emptied tables, as TRUNCATE … RESTART IDENTITY does. The deletes run with the session acting as a
    replica (``session_replication_role``), which fires no trigger: no foreign-key check (every referencing row goes
    too) and no refusal from the append-only tables' triggers (whose exemption for test databases lets TRUNCATE
    through). Only a superuser may do so, as scripts/test's cluster user is; anywhere else Django's flush runs as it
    was. tests/test_flush.py proves both leave the same rows and sequences."""
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        return
    operations = type(connections["default"].ops)
    truncate = operations.sql_flush
    if getattr(truncate, "deletes", False):
        return

    def sql_flush(self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False):
        if not tables or not _superuser(self.connection):
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        keep = frozenset() if reset_sequences else FLUSH_KEEPS
        emptied = sorted(table for table in tables if table not in keep)
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f"DELETE FROM {self.quote_name(table)}" for table in emptied]
        if reset_sequences:
            # The sequences the emptied tables own (serial and identity columns), back to their first number.
            names = ", ".join("'" + table.replace("'", "''") + "'" for table in emptied)
            statements.append(
                "SELECT setval(sequence.oid, 1, false) FROM pg_class sequence"
                " JOIN pg_depend owned ON owned.objid = sequence.oid AND owned.classid = 'pg_class'::regclass"
                " AND owned.refclassid = 'pg_class'::regclass AND owned.deptype IN ('a', 'i')"
                " JOIN pg_class owner ON owner.oid = owned.refobjid"
                " JOIN pg_namespace schema ON schema.oid = owner.relnamespace AND schema.nspname = current_schema()"
                f" WHERE sequence.relkind = 'S' AND owner.relname IN ({names})"
            )
        return statements

    sql_flush.deletes = True  # type: ignore[attr-defined]
    sql_flush.truncate = truncate  # type: ignore[attr-defined]
    operations.sql_flush = sql_flush  # type: ignore[method-assign]


def _superuser(connection: Any) -> bool:
    if not hasattr(connection, "govopen_superuser"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            connection.govopen_superuser = bool(cursor.fetchone()[0])
    return connection.govopen_superuser


def _scan_static_files_once() -> None:
    """Every test client builds Django's middleware again, and WhiteNoise's middleware then lists the ~700 collected
    static files again, with a stat call, a date and the headers of each (60 ms; a sixth of the workers' CPU over a
    whole run). The files do not change while the suite runs (scripts/test collects them first), so each listing is
    made once for the settings that shape it and shared: its entries are read-only and the answers are the same."""
    from whitenoise.base import WhiteNoise

    list_files = WhiteNoise.add_files
    listings: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add_files(self: WhiteNoise, root: str, prefix: str | None = None) -> None:
        shaping = tuple(repr(getattr(settings, name)) for name in dir(settings) if name.startswith("WHITENOISE_"))
        storage = repr(settings.STORAGES.get("staticfiles"))
        key = (
            type(self),
            str(root),
            prefix,
            settings.DEBUG,
            settings.STATIC_URL,
            settings.FORCE_SCRIPT_NAME,
            storage,
            shaping,
        )
        listing = listings.get(key)
        if listing is None:
            before = dict(self.files)
            list_files(self, root, prefix)
            listing = listings[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(listing)

    WhiteNoise.add_files = add_files


def _measure_started_processes(config: pytest.Config) -> None:
    """A whole run (scripts/test) measures the processes that run tests with SlipCover, and the Python processes the
    tests start (a Celery worker, gunicorn, manage.py) with coverage.py: the venv's a1_coverage.pth starts it in any
    Python whose environment names its configuration (COVERAGE_PROCESS_START). Only a process that runs tests names
    it, from here: were it set before pytest started, an xdist controller's workers would start coverage.py's tracer
    as well, which is what SlipCover is there to avoid."""
    configuration = os.environ.get("GOVOPEN_COVER_STARTED_PROCESSES")
    controller = bool(getattr(config.option, "numprocesses", None)) and "PYTEST_XDIST_WORKER" not in os.environ
    if configuration and not controller:
        os.environ["COVERAGE_PROCESS_START"] = configuration


def unmeasured_environment() -> dict[str, str]:
    """The environment for a child process that runs none of the project's code (the API fuzzer's command line, pip):
    without coverage.py, whose tracer would take twice its CPU for nothing."""
    return {name: value for name, value in os.environ.items() if name != "COVERAGE_PROCESS_START"}


# The files that take longest (a whole run's --durations, summed per file, with coverage on 2 cores), longest first.
# pytest-xdist hands whole files (--dist loadfile --no-loadscope-reorder, scripts/test) to its workers in the order
# they were collected: a long file collected last would keep one core busy while the other has nothing left to do.
LONG_FIRST = (
    "test_browser_access.py",  # ~130 s: axe on every page type in three display modes
    "test_property_no_5xx.py",
    "test_api_contract.py",
    "test_field_encryption.py",
    "test_bench_quick.py",
    "test_performance_browser.py",
    "test_reply_letter_pdf.py",
    "test_browser_back_office.py",
    "test_browser_review.py",
    "test_browser_request.py",
    "test_browser_policy.py",
    "test_requests_rules.py",
    "test_mount.py",
    "test_demo.py",
    "test_reply_letters_formal.py",
    "test_browser_audit.py",
    "test_integrity_pages.py",
    "test_opendata.py",
    "test_admin_history.py",
    "test_subscriptions_no_5xx.py",
    "test_sweep_at_scale.py",
    "test_annual_report_at_scale.py",
)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's tests keep their order


def _separate_xdist_workers() -> None:
    """Under pytest-xdist (scripts/test runs the suite on every core), each worker has its own database (pytest-django
    names it), and here its own Redis database (cache, rate-limit counters, broker) and its own folders for uploaded
    files, open-data files and mail, so that one worker's flush or files never meet the other's. Subprocesses (a
    real Celery worker, a gunicorn) inherit the same through the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    number = int(worker[2:])
    if os.environ.get("REDIS_URL"):
        url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{1 + number}"  # db 0 stays the single-process run's
        os.environ["REDIS_URL"] = url
        settings.REDIS_URL = url
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
        settings.CELERY_BROKER_URL = url
        from govopen.celery import app

        app.conf.update(broker_url=url)
    for setting, variable in (
        ("MEDIA_ROOT", "MEDIA_ROOT"),
        ("GOVOPEN_OPEN_DATA_DIR", "GOVOPEN_OPEN_DATA_DIR"),
        ("EMAIL_FILE_PATH", "EMAIL_FILE_PATH"),
    ):
        path = type(getattr(settings, setting))(f"{getattr(settings, setting)}-{worker}")
        setattr(settings, setting, path)
        os.environ[variable] = str(path)


PASSWORD = "correct horse battery staple"
# Who acts when a test sets up records through the services without a person (core.actors).
SYSTEM = System("tests")


# --- Personas -----------------------------------------------------------------------------------------------------
# Each persona is built by a plain function, so that a module can build them once for all its tests (``module_db``)
# as well as through the per-test fixtures below.


def new_user(username: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )


def new_org_a() -> Organisation:
    return organisation_save(
        organisation=Organisation(
            code="A001",
            name="甲市城市管理局",
            kind=Organisation.Kind.DEPARTMENT,
            office_name="甲市城市管理局办公室",
            address="甲市中山路 1 号",
            postcode="100001",
            office_hours="工作日 9:00—17:00",
            phone="010-0000001",
            fax="010-0000002",
            email="a@example.org",
            letter_code="甲城管依公开",
            review_body="甲市人民政府",
            court="甲市中山区人民法院",
        ),
        actor=SYSTEM,
    )


def new_org_b() -> Organisation:
    return organisation_save(
        organisation=Organisation(
            code="B002",
            name="乙市统计局",
            kind=Organisation.Kind.DEPARTMENT,
            letter_code="乙统依公开",
            review_body="乙市人民政府",
            court="乙市人民法院",
        ),
        actor=SYSTEM,
    )


def new_staff(username: str, organisation: Organisation, role: str) -> Any:
    user = new_user(username)
    role_grant(organisation=organisation, user=user, role=role, actor=SYSTEM)
    return user


def new_office(username: str = "office", role: str = OfficeRole.OFFICE) -> Any:
    user = new_user(username)
    office_role_grant(user=user, role=role, actor=SYSTEM)
    return user


def new_topic() -> Any:
    from catalog.models import Topic

    return Topic.objects.create(code="csgl", name="城市管理")


def new_node_a(org_a: Organisation) -> Any:
    from catalog.models import CatalogueNode, Section

    return CatalogueNode.objects.create(
        organisation=org_a,
        section=Section.RESULT,
        name="工作动态",
        subject=org_a,
        elements="工作进展",
        basis="《条例》第二十条",
        time_limit_days=20,
        channels=["website"],
        levels=["city"],
    )


def new_node_b(org_b: Organisation) -> Any:
    from catalog.models import CatalogueNode, Section

    return CatalogueNode.objects.create(
        organisation=org_b, section=Section.DECISION, name="统计调查项目", subject=org_b
    )


def on_commit_run() -> Any:
    """Run the after-commit work of what is written inside (indexing, mail) at the end of the block, as a commit
    would: pytest-django's ``django_capture_on_commit_callbacks`` without a fixture, for module-scoped data."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def new_document(organisation, drafter, *, nodes=(), **changes):
    """A draft by ``drafter`` with sensible metadata; ``changes`` override any field."""
    from disclosure.services import document_create

    values = {
        "title": "关于开展市容环境整治的通知",
        "written_on": dt.date(2026, 11, 2),
        "attribute": "proactive",
        "body": "为进一步改善市容环境，现就开展整治工作通知如下。",
        **changes,
    }
    with on_commit_run():
        return document_create(organisation=organisation, actor=drafter, changes=values, catalogue_nodes=nodes)


def published(document, drafter, reviewer, **approve):
    """``document`` submitted and approved (its attribute decides what approval leads to), after-commit work run."""
    from disclosure.services import document_approve, document_submit

    with on_commit_run():
        document_submit(document=document, actor=drafter)
        document = document_approve(document=document, actor=reviewer, confidentiality_checked=True, **approve)
    document.refresh_from_db()
    return document


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """One transaction around a whole module, for records its tests share and only read: build them in a
    module-scoped fixture that asks for this one (inside ``django_db_blocker.unblock()``, after-commit work through
    ``on_commit_run``). Each test's own writes are a savepoint inside it, rolled back after the test as usual; the
    module's records are rolled back when the module is done. Not for modules with transactional tests."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with tasks_inline():
            yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def make_user(db) -> Callable[..., object]:
    return new_user


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: rate-limit counters, cached totals and pages of earlier tests
    outlive their rolled-back database in the Redis of scripts/test. Modules ask for it with
    ``pytestmark = pytest.mark.usefixtures("fresh_cache")``."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def page_cache_off(settings) -> None:
    """The anonymous page cache is off unless a test turns it on (tests/test_page_cache.py): query counts pin the
    rendering, and the Redis of scripts/test outlives each test's rolled-back database."""
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def org_a(db) -> Organisation:
    return new_org_a()


@pytest.fixture
def org_b(db) -> Organisation:
    return new_org_b()


@pytest.fixture
def drafter_a(db, org_a):
    return new_staff("drafter_a", org_a, Role.DRAFTER)


@pytest.fixture
def reviewer_a(db, org_a):
    return new_staff("reviewer_a", org_a, Role.REVIEWER)


@pytest.fixture
def handler_a(db, org_a):
    return new_staff("handler_a", org_a, Role.HANDLER)


@pytest.fixture
def drafter_b(db, org_b):
    return new_staff("drafter_b", org_b, Role.DRAFTER)


@pytest.fixture
def office(db):
    return new_office()


@pytest.fixture
def office_head(db):
    return new_office("office_head", OfficeRole.HEAD)


@pytest.fixture
def citizen() -> Client:
    """An anonymous member of the public."""
    return Client()


@pytest.fixture
def login() -> Callable[[object], Client]:
    def as_user(user: object) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return as_user


# The calendar tables as ``calendar_load_package`` leaves them in an empty database, copied once per test process.
CALENDAR_TABLES = {
    "catalog_workcalendaryear": "id",
    "catalog_historicalworkcalendaryear": "history_id",
    "catalog_calendarday": "id",
    "catalog_historicalcalendarday": "history_id",
}
_calendar_copy: dict[str, bytes] = {}


@pytest.fixture
def work_calendar(db) -> None:
    """The official calendars the chinesecalendar package knows (2004–2026), as the demo loads them. 240 tests ask
    for them: the service loads them for the first of a process (a quarter of a second), and the rows it wrote (years,
    days and their history; not its audit rows) are copied back for the others, one COPY per table."""
    import io

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM catalog_workcalendaryear)")
        empty = not cursor.fetchone()[0]
        if not empty or not _calendar_copy:
            calendar_load_package(actor=SYSTEM)
            if empty:
                for table in CALENDAR_TABLES:
                    buffer = io.BytesIO()
                    cursor.copy_expert(f"COPY {table} TO STDOUT", buffer)
                    _calendar_copy[table] = buffer.getvalue()
            return
        # The copied rows were written by the service and are copied whole, years first: as a superuser (scripts/test's
        # cluster) they go in with the session acting as a replica, which fires no trigger, so the foreign-key check
        # of each day against its year is neither queued nor run when the test's constraints are checked (about half a
        # million checks a whole run).
        replica = _superuser(connection)
        if replica:
            cursor.execute("SET session_replication_role = replica")
        try:
            for table in CALENDAR_TABLES:
                cursor.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(_calendar_copy[table]))
        finally:
            if replica:
                cursor.execute("SET session_replication_role = DEFAULT")
        for table, key in CALENDAR_TABLES.items():
            # Rows created later (a year entered by hand) take numbers after the copied ones.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"GREATEST((SELECT max({key}) FROM {table}), nextval(pg_get_serial_sequence(%s, %s))))",
                [table, key, table, key],
            )


@pytest.fixture
def artifacts_dir() -> str:
    path = os.environ.get("GOVOPEN_ARTIFACTS") or os.path.join(settings.BASE_DIR, "var", "artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):
    """Debian's Chromium headless shell (package chromium-headless-shell, installed by scripts/test) driven by
    Playwright (no browser download), on this machine only. The shell is the engine without the desktop browser's
    user interface, what Playwright itself runs for headless tests: the same pages for a quarter less CPU."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls the test makes around it are
    # ordinary blocking calls, which Django would otherwise refuse inside a running loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while Playwright's loop runs open their own (context-local) connection.
            from django.db import connections

            connections.close_all()


@contextmanager
def tasks_inline() -> Iterator[None]:
    """Tasks enqueued by services run in this process while inside (as ``celery_runs_inline`` does for each test)."""
    from govopen.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def celery_runs_inline(request: pytest.FixtureRequest):
    """Tasks enqueued by services run in the test process, except in tests that start a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    with tasks_inline():
        yield


@pytest.fixture
def topic(db):
    return new_topic()


@pytest.fixture
def node_a(org_a):
    return new_node_a(org_a)


@pytest.fixture
def node_b(org_b):
    return new_node_b(org_b)


@pytest.fixture
def make_document():
    """A draft by ``drafter`` with sensible metadata (``new_document``)."""
    return new_document


@pytest.fixture
def publish():
    """Submit and approve a document, running on-commit work (``published``)."""
    return published


# --- Applications (issue 4) -------------------------------------------------------------------------------------------

# A resident ID with a valid check digit (GB 11643 sample) and a valid 统一社会信用代码.
VALID_RESIDENT_ID = "11010519491231002X"


def applicant_values(**overrides: object) -> dict:
    values = {
        "applicant_type": "natural",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": VALID_RESIDENT_ID,
        "phone": "13812345678",
        "email": "zhangsan@example.com",
        "address": "甲市中山路 8 号",
        "postcode": "100001",
        "description": "请提供 2026 年本市共享单车停放点位设置方案。",
        "information_form": "electronic",
        "delivery": "online",
        "fee_waiver_requested": False,
        "fee_waiver_reason": "",
    }
    values.update(overrides)
    return values


class Travel:
    """Travel to a moment in Asia/Shanghai: ``travel("2026-02-12 10:00")``; time ticks on from there, until the next
    call or ``stop()``. The ``clock`` fixture is one for a test; a module builds its shared records with its own."""

    def __init__(self) -> None:
        self._traveller: Any = None

    def __call__(self, moment: str) -> None:
        import time_machine

        self.stop()
        when = dt.datetime.fromisoformat(moment).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        self._traveller = time_machine.travel(when, tick=True)
        self._traveller.start()

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock() -> Iterator[Travel]:
    travel = Travel()
    yield travel
    travel.stop()


def new_application(
    organisation, *, clock: Travel, moment: str, accepted: str | None = None, handler=None, **overrides
):
    """An online application to ``organisation`` filed at ``moment`` and accepted by ``handler`` on ``accepted``."""
    from requests_app.services import request_accept, request_file

    clock(moment)
    with on_commit_run():
        case, secret = request_file(organisation=organisation, values=applicant_values(**overrides))
    if accepted:
        clock(accepted + " 09:30")
        with on_commit_run():
            case = request_accept(request=case, actor=handler or SYSTEM)
    case.secret = secret
    return case


@pytest.fixture
def filed(clock, work_calendar):
    """``new_application`` on the test's clock."""

    def make(organisation, **values):
        return new_application(organisation, clock=clock, **values)

    return make


def wait_for(condition: Callable[[], bool], *, seconds: float = 90.0) -> bool:
    """Poll ``condition`` until it holds (a worker's effect in the database); False after ``seconds``."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def run_twice_at_once(job: Callable[[], object], *, rounds: int = 3) -> list[object]:
    """Start ``job`` in two threads released by one barrier, ``rounds`` times; returns the results and raises the
    first error a thread met (a thread's exception is otherwise lost). Each thread closes its own connection."""
    import threading

    from django.db import connection

    results: list[object] = []
    errors: list[BaseException] = []

    def run(barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    for _round in range(rounds):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(barrier,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results


# --- Staff sign-in security (issue 13) ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def staff_security_relaxed(request: pytest.FixtureRequest, settings) -> None:
    """Most tests sign staff in with force_login and travel through months: unless a test is marked
    ``staff_security``, MFA is optional and sessions do not time out, so those tests keep testing their own rules."""
    if request.node.get_closest_marker("staff_security"):
        return
    settings.GOVOPEN_MFA_REQUIRED_ROLES = []
    settings.GOVOPEN_SESSION_IDLE_MINUTES = 10**8
    settings.GOVOPEN_SESSION_MAX_HOURS = 10**8


@pytest.fixture
def totp_code() -> Callable[..., str]:
    """The code an authenticator app shows now for ``device`` (a django-otp TOTPDevice)."""
    from django_otp.oath import totp

    def code(device) -> str:
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    return code


# --- A real Celery worker ----------------------------------------------------------------------------------------------


@pytest.fixture
def start_worker(transactional_db) -> Iterator[Callable[..., str]]:
    """Start a real worker on its own queue, reading the test database; returns the queue's name."""
    processes: list[subprocess.Popen] = []
    from django.db import connection

    db = connection.settings_dict

    def start(*, redis_url: str | None = None, **env: str) -> str:
        queue = f"test-{uuid.uuid4().hex[:8]}"
        environment = {
            **os.environ,
            **env,
            "REDIS_URL": redis_url or os.environ["REDIS_URL"],
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        }
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "govopen",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    queue,
                    "--loglevel=WARNING",
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        return queue

    start.processes = processes  # type: ignore[attr-defined]  # a test may kill one
    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)  # noqa: T201 - shown by pytest only when the test failed


def new_import(title: str, *, at: str, organisation, drafter, nodes, topic, body: str = "正文。", **changes):
    """A published document with a chosen publication time (an import keeps it), indexed on commit."""
    from disclosure.services import document_import

    with on_commit_run():
        return document_import(
            organisation=organisation,
            actor=drafter,
            changes={
                "title": title,
                "body": body,
                "attribute": "proactive",
                "written_on": dt.date(2020, 1, 1),
                "topic": topic,
                **changes,
            },
            published_at=dt.datetime.fromisoformat(at).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
            catalogue_nodes=nodes,
        )


def importer(org_a, drafter_a, node_a, topic) -> Callable[..., Any]:
    """``new_import`` by ``drafter_a`` into ``node_a`` of ``org_a`` unless told otherwise."""

    def make(title: str, *, at: str, organisation=None, nodes=None, **changes):
        return new_import(
            title,
            at=at,
            organisation=organisation or org_a,
            drafter=drafter_a,
            nodes=[node_a] if nodes is None else nodes,
            topic=topic,
            **changes,
        )

    return make


@pytest.fixture
def imported(org_a, drafter_a, node_a, topic):
    """``importer`` for the test's personas."""
    return importer(org_a, drafter_a, node_a, topic)


@contextmanager
def refused(error: type[Problems], *codes: str) -> Iterator[pytest.ExceptionInfo[Problems]]:
    """``with refused(DocumentError, "forbidden"):`` — the step is refused for exactly these reasons, by their codes
    (core.errors), not by their Chinese wording."""
    with pytest.raises(error) as caught:
        yield caught
    assert caught.value.codes == list(codes), caught.value.items


def demo_load() -> str:
    """The demo in the test database, committed; returns what ``load_demo`` printed. A whole run of scripts/test
    loads the demo once, into a database of its own, and dumps it (GOVOPEN_TEST_DEMO_DUMP): here the database is
    emptied and that dump restored, content types and permissions included, with the demo's uploaded and open-data
    files (a second or two).
    Elsewhere ``load_demo`` runs (15 to 25 s). Call it where the database may be written (``django_db_blocker``
    unblocked, or a transactional test)."""
    import io
    import shutil
    from pathlib import Path

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    dump = os.environ.get("GOVOPEN_TEST_DEMO_DUMP", "")
    if not dump or not os.path.exists(dump):
        output = io.StringIO()
        call_command("load_demo", stdout=output)
        return output.getvalue()
    call_command("flush", "--noinput", verbosity=0, inhibit_post_migrate=True)
    db = connection.settings_dict
    restore = [os.path.join(os.environ["GOVOPEN_TEST_PG_BIN"], "pg_restore"), "--data-only", "--disable-triggers"]
    restore += ["--single-transaction", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", db["NAME"]]
    subprocess.run([*restore, dump], check=True, capture_output=True, text=True)
    ContentType.objects.clear_cache()  # the dump's content types replace the ones a flush may have renumbered
    for folder, setting in (("media", "MEDIA_ROOT"), ("open-data", "GOVOPEN_OPEN_DATA_DIR")):
        if Path(dump).with_name(folder).is_dir():
            shutil.copytree(Path(dump).with_name(folder), getattr(settings, setting), dirs_exist_ok=True)
    return Path(dump).with_name("output.txt").read_text(encoding="utf-8")


@contextmanager
def demo_committed(django_db_blocker, *, at: str | None = None, inline_tasks: bool = True) -> Iterator[str]:
    """``load_demo`` committed outside every test's transaction (so its after-commit work, such as the search index,
    runs as in production), at the Shanghai moment ``at`` if given, its tasks run in this process unless
    ``inline_tasks`` is False (a worker's job then); yields its output and flushes the database afterwards. For
    modules whose tests share one demo: each test's own writes still roll back. Without ``at`` and with its tasks
    left to a worker, the demo is restored from scripts/test's dump where there is one (``demo_load``)."""
    import io

    from django.core.cache import cache
    from django.core.management import call_command

    output = io.StringIO()
    traveller = None
    if at is not None:
        import time_machine

        traveller = time_machine.travel(
            dt.datetime.fromisoformat(at).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True
        )
        traveller.start()
    try:
        with django_db_blocker.unblock(), tasks_inline() if inline_tasks else nullcontext():
            if at is None and not inline_tasks:
                output.write(demo_load())
            else:
                call_command("load_demo", stdout=output)
        yield output.getvalue()
    finally:
        if traveller is not None:
            traveller.stop()
        with django_db_blocker.unblock():
            call_command("flush", "--noinput", verbosity=0)
        cache.clear()


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> Iterator[object]:
    """The demo, loaded once for a module whose tests only read it, served by a live server thread of the module's own
    (pytest-django's live_server makes every test transactional, which would flush the demo after each test and
    load it again: 5 to 13 s a time). Its tests ask for ``db`` too; the demo is flushed when the module is done."""
    from types import SimpleNamespace

    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    with demo_committed(django_db_blocker, inline_tasks=False):
        server = LiveServerThread("localhost", _StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield SimpleNamespace(url=f"http://localhost:{server.port}")
        finally:
            server.terminate()
