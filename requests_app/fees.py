"""Information processing fees 信息处理费 (R26; Art 42 and 国办函〔2020〕109号).

Free by default. Where the quantity or the frequency is clearly excessive the office may charge by one method,
never both: per request (按件, the applicant's requests in a calendar month) or by volume (按量, pages of one
request). Both are computed so the handler can compare them; the notice records the one chosen.
"""

from __future__ import annotations

from decimal import Decimal

FREE_REQUESTS_PER_MONTH = 10
FREE_PAGES = 30
# (last page of the band, yuan per page), bands of one request's pages after the free 30
VOLUME_BANDS: tuple[tuple[int | None, int], ...] = ((100, 10), (200, 20), (None, 40))


def fee_per_request(nth_in_month: int) -> Decimal:
    """The fee for the applicant's ``nth_in_month`` request of a calendar month: 1–10 free, 11–30 ¥100, then each
    further band of 10 requests ¥100 more (31–40 ¥200, 41–50 ¥300, …)."""
    if nth_in_month <= FREE_REQUESTS_PER_MONTH:
        return Decimal(0)
    if nth_in_month <= 30:
        return Decimal(100)
    return Decimal(100 * (2 + (nth_in_month - 31) // 10))


def fee_by_volume(pages: int) -> Decimal:
    """The fee for one request of ``pages`` pages: 1–30 free, 31–100 ¥10, 101–200 ¥20, from 201 ¥40 a page."""
    total, floor = 0, FREE_PAGES
    for last, price in VOLUME_BANDS:
        top = pages if last is None else min(pages, last)
        if top > floor:
            total += (top - floor) * price
        if last is None or pages <= last:
            break
        floor = last
    return Decimal(total)
