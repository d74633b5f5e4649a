"""Login throttling on the admin login page (django-axes, database handler): per account and per address, shown in
Chinese, lifted after the cool-off; a successful login forgets only the account's failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.staff_security


def sign_in(client: Client, username: str, password: str, *, address: str = "127.0.0.1", **extra: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_refuses_the_right_password_after_fifty_wrong_ones_with_a_chinese_page(drafter_a, clock):
    clock("2026-11-30 09:00")
    client = Client()
    for _attempt in range(50):
        sign_in(client, "drafter_a", "wrong password")
    response = sign_in(client, "drafter_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "5 分钟后再试" in page
    assert 'value="drafter_a"' in page  # what was typed stays in the form
    assert not signed_in(client)


def test_it_locks_the_account_from_any_address(drafter_a, clock):
    clock("2026-11-30 09:00")
    for number in range(5):
        sign_in(Client(), "drafter_a", "wrong password", address=f"198.51.100.{number + 1}")
    response = sign_in(Client(), "drafter_a", PASSWORD, address="203.0.113.9")
    assert response.status_code == 429


def test_it_locks_an_address_whatever_the_account_but_not_other_addresses(drafter_a, drafter_b, clock):
    clock("2026-11-30 09:00")
    for number in range(5):
        sign_in(Client(), f"guess{number}", "wrong password", address="198.51.100.7")
    locked = sign_in(Client(), "drafter_a", PASSWORD, address="198.51.100.7")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()

    elsewhere = Client()
    response = sign_in(elsewhere, "drafter_b", PASSWORD, address="203.0.113.20")
    assert response.status_code == 302 and signed_in(elsewhere)


def test_it_takes_the_address_from_the_configured_proxy_header(drafter_a, drafter_b, clock, settings):
    settings.GOVOPEN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    clock("2026-11-30 09:00")
    # Every request reaches Django from the proxy's address; the header tells the clients apart.
    for number in range(5):
        sign_in(Client(), f"guess{number}", "wrong password", address="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7")
    assert (
        sign_in(Client(), "drafter_a", PASSWORD, address="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7").status_code == 429
    )
    other = Client()
    sign_in(other, "drafter_b", PASSWORD, address="10.0.0.1", HTTP_X_REAL_IP="203.0.113.20")
    assert signed_in(other)


def test_it_lets_the_account_in_again_after_the_cool_off(drafter_a, clock):
    clock("2026-11-30 09:00")
    for _attempt in range(6):
        sign_in(Client(), "drafter_a", "wrong password")
    clock("2026-11-30 09:04")
    assert sign_in(Client(), "drafter_a", PASSWORD).status_code == 429  # still locked, and the lock renews
    clock("2026-11-30 09:10")
    client = Client()
    response = sign_in(client, "drafter_a", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_it_forgets_the_account_failures_after_a_successful_login(drafter_a, clock):
    clock("2026-11-30 09:00")
    for _round in range(2):
        for _attempt in range(4):
            sign_in(Client(), "drafter_a", "wrong password")
        client = Client()
        sign_in(client, "drafter_a", PASSWORD)
        assert signed_in(client)


def test_it_keeps_the_address_failures_when_the_attacker_logs_in_to_an_own_account(drafter_a, drafter_b, clock):
    clock("2026-11-30 09:00")
    for _attempt in range(4):
        sign_in(Client(), "drafter_a", "wrong password", address="198.51.100.7")
    own = Client()
    sign_in(own, "drafter_b", PASSWORD, address="198.51.100.7")
    assert signed_in(own)
    sign_in(Client(), "drafter_a", "wrong password", address="198.51.100.7")
    assert sign_in(Client(), "drafter_a", PASSWORD, address="198.51.100.7").status_code == 429
