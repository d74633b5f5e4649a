"""E-mail subscriptions (issue 17 §2): double opt-in by a signed link, a daily digest of new public records sent once
per subscription and day, one-click unsubscribe (RFC 8058), the address encrypted at rest and masked for the
office, and clear answers to bad links and bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.grounds import Ground
from disclosure.services import document_return, document_submit, document_withdraw
from ops.models import Notification
from subscriptions.models import DigestMail, Subscription
from subscriptions.selectors import Target, address_digest
from subscriptions.services import digests_run, subscription_confirm, subscription_request
from tests.conftest import run_twice_at_once

pytestmark = pytest.mark.usefixtures("fresh_cache")

ADDRESS = "Wang.Fang@Example.com"
SITE = "http://127.0.0.1:8000"


def link_in(message, name: str) -> str:
    found = re.search(rf"https?://\S+/subscriptions/{name}/[^/\s]+/", message.body)
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def subscribe(citizen, django_capture_on_commit_callbacks):
    """Fill in the public form for ``params`` and return the confirmation mail."""

    def run(params: dict, email: str = ADDRESS):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = citizen.post(reverse("subscriptions:subscribe"), {**params, "email": email})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].startswith(reverse("subscriptions:sent"))
        assert len(mail.outbox) == before + 1
        return mail.outbox[-1]

    return run


@pytest.fixture
def confirmed(subscribe, citizen, org_a, django_capture_on_commit_callbacks):
    message = subscribe({"kind": "organisation", "org": org_a.code})
    confirm = path_of(link_in(message, "confirm"))
    assert "确认订阅" in citizen.get(confirm).content.decode()
    page = citizen.post(confirm)
    assert page.status_code == 200 and "订阅已确认" in page.content.decode()
    return Subscription.objects.get()


def not_public_documents(org_a, drafter_a, reviewer_a, office, make_document, publish) -> None:
    def make(title, **changes):
        return make_document(org_a, drafter_a, title=title, **changes)

    make("草稿件")
    document_submit(document=make("待审件"), actor=drafter_a)
    returned = make("退回件")
    document_submit(document=returned, actor=drafter_a)
    document_return(document=returned, actor=reviewer_a, reason="请修改")
    publish(make("依申请件", attribute="on_request", ground=Ground.THIRD_PARTY, reason="第三方"), drafter_a, reviewer_a)
    publish(
        make("不予公开件", attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部"), drafter_a, reviewer_a
    )
    publish(make("定时件"), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(days=30))
    document_withdraw(document=publish(make("撤回件"), drafter_a, reviewer_a), actor=office, reason="有误")


def run_digests(hours: float = 1, *, days: int = 0) -> list:
    """Run the daily job at now + the offset, executing its after-commit delivery; the mails it sent."""
    before = len(mail.outbox)
    with time_machine.travel(timezone.now() + dt.timedelta(days=days, hours=hours), tick=True):
        digests_run()
    return mail.outbox[before:]


# --- Lifecycle ---------------------------------------------------------------------------------------------------


def test_subscribe_confirm_digest_of_public_documents_only_sent_once_then_one_click_unsubscribe(
    confirmed,
    citizen,
    org_a,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
    django_capture_on_commit_callbacks,
):
    assert confirmed.status == Subscription.Status.CONFIRMED
    public = publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    not_public_documents(org_a, drafter_a, reviewer_a, office, make_document, publish)
    with django_capture_on_commit_callbacks(execute=True):
        sent = run_digests()
    assert len(sent) == 1
    digest = sent[0]
    assert digest.to == [ADDRESS.lower()]
    assert (
        public.title in digest.body and path_of(reverse("disclosure:document", args=public.index_path)) in digest.body
    )
    for title in ("草稿件", "待审件", "退回件", "依申请件", "不予公开件", "定时件", "撤回件"):
        assert title not in digest.body
    header = digest.extra_headers["List-Unsubscribe"]
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") == link_in(digest, "unsubscribe")

    with django_capture_on_commit_callbacks(execute=True):
        assert run_digests(hours=2) == []  # the same day: nothing again
    assert DigestMail.objects.get().sent_at is not None

    # RFC 8058: the mail provider POSTs to the header's URL, without a CSRF token or cookie.
    provider = Client(enforce_csrf_checks=True)
    answer = provider.post(
        path_of(header.strip("<>")), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200 and "已退订" in answer.content.decode()
    assert not Subscription.objects.exists() and not DigestMail.objects.exists()
    # The confirmation mail's record held the address too: it goes with the subscription.
    assert not Notification.objects.filter(key__startswith="subscription-confirm:").exists()

    publish(make_document(org_a, drafter_a, title="退订之后的文件"), drafter_a, reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_digests(days=1) == []
    again = provider.post(path_of(header.strip("<>")))
    assert again.status_code == 200  # unsubscribing twice is not an error
    assert provider.get(path_of(header.strip("<>"))).status_code == 404  # the page says it is gone


def test_nothing_is_sent_when_nothing_new_was_published(confirmed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_digests() == []
    assert not DigestMail.objects.exists()


def test_the_unsubscribe_page_asks_before_it_unsubscribes(
    confirmed, citizen, org_a, drafter_a, reviewer_a, make_document, publish, django_capture_on_commit_callbacks
):
    publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        (digest,) = run_digests()
    page = citizen.get(path_of(link_in(digest, "unsubscribe")))
    assert page.status_code == 200 and "确认退订" in page.content.decode()
    assert Subscription.objects.exists()  # a link scanner opening the mail unsubscribes nobody


def test_a_second_run_at_the_same_moment_sends_each_digest_once(
    transactional_db, org_a, drafter_a, reviewer_a, make_document, publish
):
    subscription = subscription_request(
        email=ADDRESS, target=Target(Subscription.Kind.ORGANISATION, organisation=org_a)
    )
    subscription_confirm(subscription_id=subscription.pk, nonce=subscription.nonce)
    publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    later = timezone.now() + dt.timedelta(hours=1)
    mail.outbox.clear()
    run_twice_at_once(lambda: digests_run(now=later), rounds=2)
    assert DigestMail.objects.count() == 1
    assert [m.subject for m in mail.outbox if "有新信息" in m.subject] == [DigestMail.objects.get().subject]


# --- What can be followed ------------------------------------------------------------------------------------------


def test_a_saved_search_digest_holds_only_the_matching_public_documents(
    subscribe,
    citizen,
    org_a,
    drafter_a,
    reviewer_a,
    make_document,
    publish,
    django_capture_on_commit_callbacks,
):
    message = subscribe({"kind": "search", "q": "噪声", "org": org_a.code, "sort": "date", "page": "3"})
    citizen.post(path_of(link_in(message, "confirm")))
    subscription = Subscription.objects.get()
    assert (subscription.query, subscription.filters) == ("噪声", {"org": org_a.code})
    publish(make_document(org_a, drafter_a, title="关于夜间施工噪声管理的通告"), drafter_a, reviewer_a)
    publish(make_document(org_a, drafter_a, title="关于市容整治的通知"), drafter_a, reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        (digest,) = run_digests()
    assert "夜间施工噪声" in digest.body and "市容整治" not in digest.body


def test_catalogue_item_topic_and_interpretation_targets_resolve_public_subjects_only(
    citizen,
    org_a,
    org_b,
    node_a,
    topic,
):
    form = reverse("subscriptions:subscribe")
    for params in (
        {"kind": "node", "node": node_a.pk},
        {"kind": "topic", "topic": topic.pk},
        {"kind": "interpretations"},
        {"kind": "organisation", "org": org_a.code},
    ):
        page = citizen.get(form, params)
        assert page.status_code == 200 and 'name="email"' in page.content.decode(), params
    org_b.is_active = False
    org_b.save(update_fields=["is_active"])
    node_a.is_active = False
    node_a.save(update_fields=["is_active"])
    for params in (
        {"kind": "organisation", "org": org_b.code},
        {"kind": "organisation", "org": "NOPE"},
        {"kind": "node", "node": node_a.pk},
        {"kind": "topic", "topic": 99999},
        {"kind": "x"},
        {},
    ):
        assert citizen.get(form, params).status_code == 404, params


# --- Personal data -------------------------------------------------------------------------------------------------


def test_the_address_is_encrypted_at_rest_and_found_by_its_keyed_hash(confirmed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_digest FROM subscriptions_subscription")
        ((raw, digest),) = cursor.fetchall()
    assert raw.startswith("gv1:") and "example" not in raw.lower() and "wang" not in raw.lower()
    assert digest == address_digest("  wang.fang@example.COM ") and "wang" not in digest
    assert confirmed.email == ADDRESS.lower()


def test_subscribing_again_with_the_same_address_makes_no_duplicate(subscribe, confirmed, org_a):
    before = len(mail.outbox)
    client = Client()
    client.post(
        reverse("subscriptions:subscribe"),
        {"kind": "organisation", "org": org_a.code, "email": "wang.fang@example.com"},
    )
    assert Subscription.objects.count() == 1 and len(mail.outbox) == before  # confirmed already: nothing sent


def test_asking_again_while_pending_sends_a_new_link_and_voids_the_old_one(subscribe, citizen, org_a):
    first = subscribe({"kind": "organisation", "org": org_a.code})
    second = subscribe({"kind": "organisation", "org": org_a.code})
    assert Subscription.objects.count() == 1
    old = citizen.post(path_of(link_in(first, "confirm")))
    assert old.status_code == 404 and "最新一封确认邮件" in old.content.decode()
    assert citizen.post(path_of(link_in(second, "confirm"))).status_code == 200


def test_the_office_sees_counts_and_masked_addresses_and_deletes_through_the_service(
    confirmed, login, office, drafter_a, org_a
):
    client = login(office)
    page = client.get(reverse("admin:subscriptions_subscription_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "w***@example.com" in html and "wang.fang" not in html.lower()
    assert "各订阅对象的订阅数" in html and org_a.name in html
    detail = client.get(reverse("admin:subscriptions_subscription_change", args=[confirmed.pk])).content.decode()
    assert "w***@example.com" in detail and "wang.fang" not in detail.lower()
    assert login(drafter_a).get(reverse("admin:subscriptions_subscription_changelist")).status_code in (302, 403)
    response = client.post(reverse("admin:subscriptions_subscription_delete", args=[confirmed.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Subscription.objects.exists()


def test_expired_pending_subscriptions_are_deleted_by_the_daily_job(subscribe, org_a):
    subscribe({"kind": "organisation", "org": org_a.code})
    assert Notification.objects.filter(key__startswith="subscription-confirm:").count() == 1
    run_digests(days=8)
    assert not Subscription.objects.exists()
    assert not Notification.objects.filter(key__startswith="subscription-confirm:").exists()


def test_a_saved_search_confirmation_mail_does_not_carry_the_typed_words(db, subscribe):
    message = subscribe({"kind": "search", "q": "请拨打这个电话领奖"})
    assert "领奖" not in message.subject and "领奖" not in message.body
    assert "按检索条件订阅的信息" in message.subject


# --- Bad links and bad input -------------------------------------------------------------------------------------


def test_altered_links_answer_400_and_an_expired_confirmation_link_says_so(subscribe, citizen, org_a):
    confirm = path_of(link_in(subscribe({"kind": "organisation", "org": org_a.code}), "confirm"))
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    for bad in (token[:-2] + "xx", "abc", "a:b:c", "%E4%B8%AD"):
        for name in ("confirm", "unsubscribe"):
            response = citizen.get(f"/subscriptions/{name}/{bad}/")
            assert response.status_code == 400 and "无法使用" in response.content.decode(), (name, bad)
            assert citizen.post(f"/subscriptions/{name}/{bad}/").status_code == 400
    # a confirmation token is not an unsubscribe token (salted apart)
    assert citizen.post(f"/subscriptions/unsubscribe/{token}/").status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=True):
        expired = citizen.post(confirm)
    assert expired.status_code == 400 and "已过期" in expired.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.PENDING


def test_bad_input_is_refused_in_chinese_keeping_what_was_typed(citizen, org_a):
    url = reverse("subscriptions:subscribe")
    page = citizen.post(url, {"kind": "organisation", "org": org_a.code, "email": "wang.fang@"})
    html = page.content.decode()
    assert page.status_code == 400 and "电子邮箱格式不正确" in html and 'value="wang.fang@"' in html
    assert citizen.post(url, {"kind": "organisation", "org": org_a.code}).status_code == 400
    trapped = citizen.post(url, {"kind": "organisation", "org": org_a.code, "email": ADDRESS, "homepage": "x"})
    assert trapped.status_code == 400 and not Subscription.objects.exists()


def test_the_form_is_rate_limited_per_network_and_per_address(citizen, org_a, node_a, settings):
    settings.GOVOPEN_SUBSCRIPTION_LIMIT_PER_ADDRESS_DAY = 1
    settings.GOVOPEN_SUBSCRIPTION_LIMIT_PER_IP_HOUR = 2
    url = reverse("subscriptions:subscribe")
    assert citizen.post(url, {"kind": "organisation", "org": org_a.code, "email": ADDRESS}).status_code == 302
    again = citizen.post(url, {"kind": "node", "node": node_a.pk, "email": ADDRESS})
    assert again.status_code == 429 and "多次申请订阅" in again.content.decode()
    assert citizen.post(url, {"kind": "node", "node": node_a.pk, "email": "li@example.com"}).status_code == 302
    flood = citizen.post(url, {"kind": "node", "node": node_a.pk, "email": "zhao@example.com"})
    assert flood.status_code == 429 and 'value="zhao@example.com"' in flood.content.decode()


def test_subscription_pages_are_private_and_kept_out_of_caches(citizen, org_a):
    page = citizen.get(reverse("subscriptions:subscribe"), {"kind": "organisation", "org": org_a.code})
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page.content.decode()


def test_the_demo_subscription_prints_a_digest(
    org_a, drafter_a, reviewer_a, make_document, publish, monkeypatch, django_capture_on_commit_callbacks
):
    from subscriptions import demo

    publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    monkeypatch.setattr(demo, "DEMO_ORGANISATION", org_a.code)
    demo.load(write=lambda line: None)
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        (digest,) = run_digests()
    assert "公开的新文件" in digest.body and digest.to == [demo.DEMO_ADDRESS]


@pytest.mark.parametrize("kind", ["topic", "node", "interpretations"])
def test_topic_item_and_interpretation_digests_hold_their_own_new_records_only(
    kind,
    subscribe,
    citizen,
    org_a,
    drafter_a,
    reviewer_a,
    make_document,
    publish,
    node_a,
    topic,
    django_capture_on_commit_callbacks,
):
    from disclosure.interpretations import interpretation_create, interpretation_plan_save

    params = {"topic": {"topic": topic.pk}, "node": {"node": node_a.pk}, "interpretations": {}}[kind]
    citizen.post(path_of(link_in(subscribe({"kind": kind, **params}), "confirm")))
    publish(
        make_document(org_a, drafter_a, title="归入主题和事项的文件", topic=topic, nodes=[node_a]),
        drafter_a,
        reviewer_a,
    )
    publish(make_document(org_a, drafter_a, title="别处的文件"), drafter_a, reviewer_a)
    policy = make_document(org_a, drafter_a, title="示范政策", is_policy=True)
    interpretation_plan_save(
        policy=policy,
        actor=drafter_a,
        changes={"planned_on": dt.date(2026, 11, 20), "channels": "政府网站", "forms": ["text"], "outline": "一、背景"},
    )
    interpretation_create(
        policy=policy, actor=drafter_a, changes={"title": "一图读懂示范政策", "form": "text", "body": "解读正文。"}
    )
    publish(policy, drafter_a, reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        (digest,) = run_digests()
    assert "别处的文件" not in digest.body
    if kind == "interpretations":
        assert "一图读懂示范政策" in digest.body and "归入主题和事项的文件" not in digest.body
    else:
        assert "归入主题和事项的文件" in digest.body and "一图读懂示范政策" not in digest.body


@pytest.mark.worker
def test_the_daily_job_runs_in_a_real_worker_and_sends_once(
    start_worker, org_a, drafter_a, reviewer_a, make_document, publish
):
    from ops.models import JobRun
    from subscriptions.tasks import send_digests
    from tests.conftest import wait_for

    subscription = subscription_request(
        email=ADDRESS, target=Target(Subscription.Kind.ORGANISATION, organisation=org_a)
    )
    subscription_confirm(subscription_id=subscription.pk, nonce=subscription.nonce)
    Subscription.objects.filter(pk=subscription.pk).update(digest_since=timezone.now() - dt.timedelta(hours=1))
    publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    queue = start_worker(
        GOVOPEN_SUBSCRIPTION_DIGEST_LAG_MINUTES="0", EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
    )
    for _run in range(2):
        send_digests.apply_async(queue=queue)
    assert wait_for(lambda: JobRun.objects.filter(name="subscriptions-digest", status="succeeded").count() == 2)
    digest = DigestMail.objects.get()
    assert digest.sent_at is not None and digest.item_count == 1 and digest.body == ""  # sent, its text dropped


def test_a_subscription_whose_organisation_is_no_longer_public_gets_nothing(
    confirmed,
    org_a,
    drafter_a,
    reviewer_a,
    make_document,
    publish,
    django_capture_on_commit_callbacks,
):
    publish(make_document(org_a, drafter_a, title="公开的新文件"), drafter_a, reviewer_a)
    org_a.is_active = False
    org_a.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        assert run_digests() == []


def test_a_digest_sent_later_leaves_out_what_was_withdrawn_meanwhile(
    confirmed,
    org_a,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
    django_capture_on_commit_callbacks,
):
    from subscriptions.services import digest_deliver, digest_prepare

    kept = publish(make_document(org_a, drafter_a, title="仍然公开的文件"), drafter_a, reviewer_a)
    gone = publish(make_document(org_a, drafter_a, title="随后撤回的文件"), drafter_a, reviewer_a)
    # Prepared; its delivery waits (the worker is away: the outbox message is not run here).
    digest = digest_prepare(subscription_id=confirmed.pk, now=timezone.now() + dt.timedelta(hours=1))
    assert digest is not None and digest.sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=gone, actor=office, reason="错误发布")
    before = len(mail.outbox)
    assert digest_deliver(digest_id=digest.pk) is True
    [sent] = mail.outbox[before:]
    assert kept.title in sent.body and gone.title not in sent.body

    # Nothing public left: nothing is sent, and the digest is not tried again.
    digest.refresh_from_db()
    DigestMail.objects.filter(pk=digest.pk).update(sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=kept, actor=office, reason="错误发布")
    assert digest_deliver(digest_id=digest.pk) is False and len(mail.outbox) == before + 1
    digest.refresh_from_db()
    assert digest.sent_at is not None and digest.item_count == 0
