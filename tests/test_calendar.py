"""The expiry calendar (`status --html`): one row per office, sorted by days left and by office ID without
script, nothing asked of the network, names from certificates shown as text, in Japanese or English; and in
Chromium: today's line, the bars, the marks and the sort where a reader sees them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
import time
from pathlib import Path

import pytest
from playwright.async_api import Page, Request

from ainas_bot.errors import OutputError
from ainas_bot.fleet.calendar import render_calendar, write_calendar
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import JST
from ainas_bot.i18n import use_language
from tests.fixtures_browser import in_chromium

TODAY = dt.date(2026, 12, 2)
MADE = dt.datetime(2026, 12, 2, 2, 5, tzinfo=dt.UTC)  # 11:05 in Japan
OFFICE = re.compile(r'data-office="([^"]*)"')


def make_standing(
    office_id: str,
    *,
    local: int | None = 400,
    registered: int | None = None,
    same: bool = True,
    name: str | None = None,
    status: str | None = "already-current",
    reason: str | None = None,
    screen: str | None = None,
    problem: str | None = None,
    proved: int | None = -3,
    today: dt.date = TODAY,
) -> Standing:
    """An office whose local certificate ends `local` days from `today` (valid two years up to then) and
    whose registered one ends `registered` days from today: the local one itself when `same`."""

    def day(n: int | None) -> dt.date | None:
        return None if n is None else today + dt.timedelta(days=n)

    if same:
        registered = local
    local_expiry = day(local)
    return Standing(
        office_id=office_id,
        office_name=f"事務所 {office_id}" if name is None else name,
        registered_expiry=day(registered),
        registered_fingerprint=None if registered is None else ("aa" if same else "bb"),
        proved_on=day(proved),
        local_expiry=local_expiry,
        local_start=None if local_expiry is None else local_expiry - dt.timedelta(days=730),
        local_fingerprint=None if local is None else "aa",
        local_file=None if local is None else f"/certs/{office_id}.p12",
        last_status=status,
        last_reason=reason,
        last_screen=screen,
        last_run_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST) if status else None,
        problem=problem,
        today=today,
    )


def _fleet() -> list[Standing]:
    """Six offices, one of each kind the page marks, their IDs in another order than their days left."""
    return [
        make_standing("1001", local=500),  # current, far
        make_standing("1002", local=25),  # order now (30)
        make_standing("1003", local=700, registered=10, same=False),  # renewal pending: the registered one ends soon
        make_standing(
            "1004", local=200, status="failed", reason="portal-changed", screen="ログイン", problem="読めない"
        ),
        make_standing("1005", local=None, registered=None, status=None, proved=None),  # nothing known
        make_standing("999", local=-5),  # expired
    ]


def _row(html: str, office_id: str) -> str:
    start = html.index(f'data-office="{office_id}"')
    end = html.find("data-office=", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_one_row_per_office_first_by_days_left_unknown_last_with_the_order_by_id_beside() -> None:
    html = render_calendar(_fleet(), generated_at=MADE)

    assert OFFICE.findall(html) == ["999", "1002", "1004", "1001", "1003", "1005"]
    by_id = {m[0]: int(m[1]) for m in re.findall(r'data-office="([^"]*)" style="--by-days: \d+; --by-id: (\d+)"', html)}
    assert sorted(by_id, key=by_id.__getitem__) == ["999", "1001", "1002", "1003", "1004", "1005"]  # 9 before 10
    assert re.search(r'<input [^>]*type="radio" name="sort" id="sort-days"[^>]*checked', html)
    assert "2026/12/02 11:05" in html  # made, in Japan time
    assert render_calendar([], generated_at=MADE).count("data-office=") == 0


def test_markup_and_control_characters_in_names_and_files_are_shown_as_text() -> None:
    hostile = make_standing("<b>7</b>", name="<script>alert(1)</script>\x1b[31m\u202eevil")
    hostile = dataclasses.replace(hostile, local_file='"><img src=x onerror=alert(2)>.p12')

    html = render_calendar([hostile], generated_at=MADE)

    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;U+001B&gt;[31m&lt;U+202E&gt;evil" in html
    assert 'data-office="&lt;b&gt;7&lt;/b&gt;"' in html
    assert "\x1b" not in html and "\u202e" not in html


def test_the_page_asks_for_nothing_and_runs_nothing() -> None:
    html = render_calendar(_fleet(), generated_at=MADE)

    for forbidden in ("http://", "https://", "<script", "<img", "<iframe", "@import", "url(", "<link rel=stylesheet"):
        assert forbidden not in html.lower(), forbidden
    assert not re.search(r"""(?:src|href|action)=["']?//""", html)
    assert re.findall(r"<link [^>]*>", html) == ['<link rel="icon" href="data:,">']
    assert not re.search(r"\son[a-z]+=", html)  # no event handler attributes either


def test_english_by_default_and_japanese_once_chosen() -> None:
    english = render_calendar(_fleet(), generated_at=MADE)
    use_language("ja")
    japanese = render_calendar(_fleet(), generated_at=MADE)

    assert '<html lang="en">' in english and "days left" in english
    assert '<html lang="ja">' in japanese and ">残り日数<" in japanese and ">days left<" not in japanese


def _words(html: str) -> set[str]:
    """The page's own text: what lies between tags, less the values (dates, numbers, names, files)."""
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    chunks = {t.strip() for t in re.findall(r">([^<]+)<", text)} | set(
        re.findall(r'(?:title|aria-label)="([^"]+)"', text)
    )
    return {c for c in chunks if re.search("[A-Za-z]{3,}", c) and "/certs/" not in c and "事務所" not in c}


def test_every_word_of_the_page_is_japanese_once_chosen() -> None:
    """Passes once the catalog (ainas_bot/locale) holds the calendar's messages."""
    use_language("ja")
    left = _words(render_calendar(_fleet(), generated_at=MADE))
    assert not left, f"English left on the Japanese page: {sorted(left)}"


def test_order_now_failed_pending_and_expired_rows_carry_their_marks() -> None:
    html = render_calendar(_fleet(), generated_at=MADE)

    marks = {o: re.findall(r'data-mark="([^"]+)"', _row(html, o)) for o in OFFICE.findall(html)}
    assert marks == {
        "999": ["expired", "order-now"],
        "1003": ["pending"],  # its days left are the next certificate's: nothing to order
        "1002": ["order-now"],
        "1004": ["failed"],
        "1001": [],
        "1005": [],
    }
    assert "order now (within 30 days)" in _row(html, "1002") and ">25<" in _row(html, "1002")
    assert "order now (within 7 days)" in _row(html, "999") and ">-5<" in _row(html, "999")
    failed = _row(html, "1004")
    assert "failed · portal-changed · ログイン" in failed and "読めない" in failed
    assert 'class="row failed"' in html and 'class="row pending"' in html


def _box(row: str, kind: str) -> tuple[float, float]:
    found = re.search(rf'data-bar="{kind}" style="left: ([\d.]+)%; width: ([\d.]+)%"', row)
    assert found, kind
    return float(found[1]), float(found[2])


def test_one_bar_when_the_local_certificate_is_the_registered_one_and_two_otherwise() -> None:
    html = render_calendar(_fleet(), generated_at=MADE)

    assert re.findall(r'data-bar="(same|local|registered)"', _row(html, "1001")) == ["same"]
    assert re.findall(r'data-bar="(same|local|registered)"', _row(html, "1003")) == ["local", "registered"]
    assert re.findall(r'data-bar="(same|local|registered)"', _row(html, "1005")) == []
    assert "local certificate, registered" in _row(html, "1001")  # said in the bar, wide enough
    assert sum(_box(_row(html, "1003"), "local")) > sum(_box(_row(html, "1001"), "same")) > 0
    zones = re.findall(r'data-bar="zone" style="left: ([\d.]+)%; width: ([\d.]+)%" title="within (\d+) days"', html)
    assert [int(z[2]) for z in zones[:5]] == [90, 60, 30, 14, 7]
    assert [float(z[1]) for z in zones[:5]] == sorted((float(z[1]) for z in zones[:5]), reverse=True)


def test_a_certificate_dated_far_ahead_does_not_squash_the_others() -> None:
    near = render_calendar([make_standing("1", local=100)], generated_at=MADE)
    far = render_calendar([make_standing("1", local=100), make_standing("2", local=3000)], generated_at=MADE)

    def today(html: str) -> float:
        return float(re.findall(r'data-bar="today" style="left: ([\d.]+)%', html)[0])

    assert today(near) == pytest.approx(30 / (30 + 400) * 100, abs=0.01)  # 30 days back, 400 ahead
    assert today(far) == pytest.approx(30 / (30 + 3 * 366) * 100, abs=0.01)  # clamped at about three years
    left, width = _box(_row(far, "2"), "same")
    assert left + width == pytest.approx(100.0, abs=0.01)


def test_three_hundred_offices_render_well_under_a_second() -> None:
    fleet = [
        make_standing(f"{i:07d}", local=(i * 37) % 800 - 30, status="failed" if i % 17 == 0 else "updated")
        for i in range(300)
    ]
    render_calendar(fleet[:2], generated_at=MADE)  # the template compiled once, as in a run

    started = time.perf_counter()
    html = render_calendar(fleet, generated_at=MADE)
    seconds = time.perf_counter() - started

    assert html.count("data-office=") == 300
    assert seconds < 2.0, f"{seconds:.3f} s"


def test_the_file_is_owner_only_and_a_symlink_at_its_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "out" / "calendar.html"
    write_calendar(path, _fleet(), generated_at=MADE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").count("data-office=") == 6

    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.html"
    os.symlink(target, link)
    with pytest.raises(OutputError, match=r"calendar .*link\.html.*symlink"):
        write_calendar(link, _fleet(), generated_at=MADE)
    assert target.read_text(encoding="utf-8") == "keep me"


# -- in Chromium -----------------------------------------------------------------------------------------------


async def _open(page: Page, path: Path, standings: list[Standing]) -> list[str]:
    """The written page opened from disk; the list fills with every URL the page asks for."""
    write_calendar(path, standings, generated_at=MADE)
    asked: list[str] = []

    def record(request: Request) -> None:
        asked.append(request.url)

    page.on("request", record)
    await page.goto(path.as_uri())
    await page.wait_for_load_state("load")
    return asked


async def _tops(page: Page) -> list[str]:
    """The office IDs from the top of the page down, as a reader sees them."""
    rows = page.locator("[data-office]")
    placed = []
    for i in range(await rows.count()):
        box = await rows.nth(i).bounding_box()
        assert box is not None
        placed.append((box["y"], await rows.nth(i).get_attribute("data-office") or ""))
    return [office for _y, office in sorted(placed)]


async def _png(page: Page, path: Path) -> None:
    await page.screenshot(path=path, full_page=True)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


# Through the project's own async Chromium (tests/fixtures_browser.py) in a thread of its own: pytest-playwright's
# sync `page` would keep a Playwright driver and its event loop in the main thread for the rest of the session.


@pytest.mark.e2e
def test_in_chromium_the_page_asks_for_itself_only_and_shows_the_timeline_marks_and_both_orders(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calendar.html"

    async def work(page: Page) -> None:
        asked = await _open(page, path, _fleet())

        assert asked == [path.as_uri()]
        assert await page.locator("[data-office]").count() == 6
        for office in ("999", "1001", "1002", "1003", "1004", "1005"):
            timeline = await page.locator(f'[data-office="{office}"] .timeline').bounding_box()
            today = await page.locator(f'[data-office="{office}"] [data-bar="today"]').bounding_box()
            assert timeline and today and timeline["width"] > 300
            assert timeline["x"] < today["x"] < timeline["x"] + timeline["width"] / 4
            bottom = timeline["y"] + timeline["height"] + 1
            assert timeline["y"] <= today["y"] and today["y"] + today["height"] <= bottom

        async def right(office: str, kind: str) -> float:
            box = await page.locator(f'[data-office="{office}"] [data-bar="{kind}"]').bounding_box()
            assert box is not None and box["width"] > 0
            return box["x"] + box["width"]

        assert await right("1003", "local") > await right("1001", "same") > await right("1004", "same")
        assert await right("1004", "same") > await right("1002", "same")
        assert await right("1003", "registered") < await right("1002", "same")  # in force 10 days, the next 700
        for office, mark in (("1002", "order-now"), ("1004", "failed"), ("1003", "pending"), ("999", "expired")):
            assert await page.locator(f'[data-office="{office}"] [data-mark="{mark}"]').is_visible()
        assert await page.locator('[data-office="1004"]').get_by_text("読めない").is_visible()

        assert await _tops(page) == ["999", "1002", "1004", "1001", "1003", "1005"]  # by days left, unknown last
        await page.locator('label[for="sort-id"]').click()
        assert await page.locator("#sort-id").is_checked()
        assert await _tops(page) == ["999", "1001", "1002", "1003", "1004", "1005"]
        await page.get_by_text("by days left", exact=True).click()
        assert await _tops(page) == ["999", "1002", "1004", "1001", "1003", "1005"]

        await page.emulate_media(media="print")
        assert not await page.locator('label[for="sort-id"]').is_visible()
        assert await _tops(page) == ["999", "1002", "1004", "1001", "1003", "1005"]
        await page.emulate_media(media="screen")
        await _png(page, tmp_path / "calendar.png")
        assert asked == [path.as_uri()]

    in_chromium(work)


@pytest.mark.e2e
def test_in_chromium_three_hundred_offices_in_japanese_fit_1280_pixels(tmp_path: Path) -> None:
    use_language("ja")
    fleet = [
        make_standing(f"{i:07d}", local=(i * 37) % 800 - 30, status="failed" if i % 17 == 0 else "updated")
        for i in range(300)
    ]
    path = tmp_path / "calendar.html"

    async def work(page: Page) -> None:
        await page.set_viewport_size({"width": 1280, "height": 900})
        asked = await _open(page, path, fleet)

        assert asked == [path.as_uri()]
        assert await page.locator("html").get_attribute("lang") == "ja"
        assert await page.locator("[data-office]").count() == 300
        assert await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )  # no sideways scroll
        timeline = await page.locator('[data-office="0000000"] .timeline').bounding_box()
        assert timeline is not None and timeline["width"] >= 300
        assert "残り日数" in await page.locator(".head").inner_text()
        by_id = page.locator('label[for="sort-id"]')
        label = await by_id.inner_text()
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label), label  # needs the catalog
        await by_id.click()
        first = await page.locator('[data-office="0000000"]').bounding_box()
        second = await page.locator('[data-office="0000001"]').bounding_box()
        assert first and second and first["y"] < second["y"]
        await _png(page, tmp_path / "calendar.png")

    in_chromium(work)
