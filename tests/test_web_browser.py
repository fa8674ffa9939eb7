"""The page in a real browser (Debian's headless Chromium), at laptop and phone sizes.

What a visitor must see: progress in view at once, a button that cannot start a second run,
both briefs in view when done, a page that stacks on a phone without sideways scrolling,
results cleared when the article changes, errors that stay, examples that ask before they
replace text, and article text shown as text. The README screenshots are taken here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing import web
from briefing.errors import ModelNotFoundError
from browser import CHROMIUM, CHROMIUM_ARGS
from web_servers import HOSTILE, ROOT, SAMPLE, Server, free_port, has_cjk

# The model_server and extractive_server fixtures.
pytest_plugins = ["web_servers"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DOCS = ROOT / "docs"

# Records, frame by frame (so that one update is seen whole, not half applied), every
# change of the progress bar from the click on: its value, whether it is in the viewport,
# and whether the button is disabled. Once the button is disabled it also tries to start a
# second run (a click on it and Ctrl+Enter): a second run would restart the bar, which the
# records would show.
WATCH = """() => {
  window.__records = [];
  window.__t0 = performance.now();
  let last = '';
  const frame = () => {
    const bar = document.querySelector('#progress .brief-progress');
    const button = document.querySelector('#brief-button');
    if (bar && button) {
      const r = bar.getBoundingClientRect();
      const record = {
        t: performance.now() - window.__t0,
        value: Number(bar.getAttribute('aria-valuenow')),
        label: bar.textContent,
        disabled: button.disabled,
        inView: r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight,
      };
      const key = [record.value, record.label, record.disabled, record.inView].join('|');
      if (key !== last) { window.__records.push(record); last = key; }
      if (!window.__poked && button.disabled) {
        window.__poked = true;
        button.click();
        document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', ctrlKey: true}));
      }
    }
    if (performance.now() - window.__t0 < 120000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""

FIRST_LINE_IN_VIEW = """(id) => {
  const r = document.querySelector('#' + id + ' textarea').getBoundingClientRect();
  return r.top >= 0 && r.top + 30 <= window.innerHeight;
}"""

NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _page(browser, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


def _value(page, elem_id: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"#{elem_id} textarea").input_value()


def _open(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.locator("#brief-button").wait_for()


def _wait_done(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "() => document.querySelector('#progress .brief-progress.done')"
        " && document.querySelector('#brief-zh textarea').value"
    )
    page.wait_for_timeout(600)  # the scroll into view runs right after


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_brief_the_sample_progress_in_view_briefs_in_view(
    model_server: Server, browser, size
) -> None:  # type: ignore[no-untyped-def]
    context, page = _page(browser, DESKTOP if size == "desktop" else PHONE)
    try:
        _open(page, model_server)
        page.locator(".example", has_text="Kingsoft Cloud").click()
        page.wait_for_function(
            "() => document.querySelector('#article textarea').value.includes('Kingsoft')"
        )
        assert _value(page, "article") == SAMPLE.read_text(encoding="utf-8")
        page.locator("#length").get_by_text("Short").click()
        # the button at the very bottom of the screen: the progress must still be seen
        page.evaluate(
            "() => { const b = document.querySelector('#brief-button').getBoundingClientRect();"
            " window.scrollBy(0, b.bottom - window.innerHeight + 2); }"
        )
        page.evaluate(WATCH)
        page.locator("#brief-button").click()
        _wait_done(page)
        page.wait_for_timeout(1500)  # time for a second run to show, if one had started
        records = page.evaluate("window.__records")

        running = [r for r in records if r["value"] < 100]
        assert running, "no progress was drawn while the brief ran"
        first = running[0]
        assert first["t"] < 2000, f"progress appeared after {first['t']:.0f} ms"
        assert first["inView"], f"the progress bar is off-screen: {records[:3]}"
        # One update reaches the page over a frame or two (bar and button apart): allow
        # that at the start and at the end, never in the middle of the run.
        done_at = min(r["t"] for r in records if r["value"] == 100)
        active = [
            r for r in running if not r["disabled"] and first["t"] + 200 < r["t"] < done_at - 200
        ]
        assert not active, f"the button was active during the run: {active}"
        values = [r["value"] for r in records]
        assert values == sorted(values), f"the progress went back (a second run?): {values}"
        assert any(r["label"].startswith("Summarizing") for r in records)
        assert records[-1]["label"].startswith("Done")
        assert not page.locator("#brief-button").is_disabled()

        english, chinese = _value(page, "brief-en"), _value(page, "brief-zh")
        assert english.strip() and has_cjk(chinese)
        for box in ("brief-en", "brief-zh"):
            assert page.evaluate(FIRST_LINE_IN_VIEW, box), f"{box} is not in view when done"
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        en = page.locator("#brief-en").bounding_box()
        zh = page.locator("#brief-zh").bounding_box()
        if size == "phone":
            assert zh["y"] >= en["y"] + en["height"] - 1, "the briefs are not stacked"
        else:
            assert abs(zh["y"] - en["y"]) < 2 and zh["x"] > en["x"] + en["width"] - 1
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / f"screenshot-{size}.png"))

        # The check view, the details and the JSON: still no sideways scrolling.
        badge = page.locator("#check-badge")
        if badge.is_visible():
            badge.click()
            page.locator("#check-table").wait_for()
            assert page.locator("#check-table").is_visible()
        else:
            page.locator("#check").get_by_text("Check").first.click()
        page.locator("#check-table tr.pair").first.wait_for()
        page.locator("#details").get_by_text("Details").first.click()
        page.locator("#stats-line").wait_for()
        page.wait_for_timeout(300)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        if size == "phone":  # table rows become cards: every cell within the screen
            assert page.evaluate(
                "() => [...document.querySelectorAll('#check-table td')].every("
                "td => td.getBoundingClientRect().right <= window.innerWidth)"
            )
        page.locator("#download-md").wait_for()
        href = page.locator("#download-md").evaluate("e => e.closest('a')?.href || ''")
        assert "the-first-batch-of-the-us-222-million" in href or href == ""
    finally:
        context.close()


@pytest.mark.browser
def test_editing_or_loading_clears_the_old_result(model_server: Server, desktop) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    _open(page, model_server)
    page.locator("#article textarea").fill("\n".join(SAMPLE.read_text().splitlines()[:3]))
    page.locator("#brief-button").click()
    _wait_done(page)
    assert _value(page, "brief-en")
    page.locator("#article textarea").press("End")
    page.locator("#article textarea").type(" More.")
    page.wait_for_function("() => !document.querySelector('#brief-en textarea').value")
    assert _value(page, "brief-zh") == ""
    assert not page.locator("#download-md").is_visible()
    assert not page.locator("#progress .brief-progress").count()
    # a second brief, then an example replaces the text: cleared too
    page.locator("#brief-button").click()
    _wait_done(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".example", has_text="Rail strike").click()
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.startsWith('Rail Workers')"
    )
    page.wait_for_function("() => !document.querySelector('#brief-en textarea').value")


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_errors_stay_in_view_in_plain_words(model_server: Server, browser, size) -> None:  # type: ignore[no-untyped-def]
    context, page = _page(browser, DESKTOP if size == "desktop" else PHONE)
    try:
        _open(page, model_server)
        page.locator("#brief-button").click()
        alert = page.locator("#alert .brief-alert")
        alert.wait_for(timeout=30_000)
        assert alert.inner_text().strip().endswith("Paste an article first.")
        page.wait_for_timeout(15_000)
        assert alert.is_visible() and "Paste an article first." in alert.inner_text()
        box = alert.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
        assert page.get_by_text("Error", exact=True).count() == 0  # no bare "Error" labels
        page.locator("#article textarea").fill("这是一篇关于云计算投资的中文新闻文章。" * 10)
        page.locator("#article textarea").press("Control+Enter")  # submits from the box
        page.get_by_text("This looks like Chinese text").wait_for(timeout=30_000)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        context.close()


@pytest.mark.browser
def test_examples_ask_before_replacing_the_visitors_text(model_server: Server, desktop) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    _open(page, model_server)
    mine = "My own article about the harbour. It has several sentences."
    page.locator("#article textarea").fill(mine)
    answers = iter([False, True])
    page.on("dialog", lambda dialog: dialog.accept() if next(answers) else dialog.dismiss())
    page.locator(".example", has_text="Coffee prices").click()
    page.wait_for_timeout(1500)
    assert _value(page, "article") == mine  # the visitor said no
    page.locator(".example", has_text="Coffee prices").click()
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.startsWith('Coffee Prices')"
    )
    # from one example to another: nothing of the visitor's to lose, so no question
    page.locator(".example", has_text="Harbor bridge").click()
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.startsWith('Harbor City')"
    )


@pytest.mark.browser
def test_upload_fills_the_article_and_refuses_other_types(model_server: Server, desktop) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    _open(page, model_server)
    with page.expect_file_chooser() as chooser:
        page.locator("#upload").click()
    # The browser's file picker filters by type; set_files does not, so the server refuses.
    chooser.value.set_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}]
    )
    page.get_by_text("Invalid file type").or_(page.get_by_text("Only .txt")).first.wait_for(
        timeout=60_000
    )
    assert _value(page, "article") == ""
    markdown = b"# Harbor Works\n\nThe **company** said [profit](http://x.test) rose 9%.\n"
    with page.expect_file_chooser() as chooser:
        page.locator("#upload").click()
    chooser.value.set_files(
        files=[{"name": "../story.md", "mimeType": "text/markdown", "buffer": markdown}]
    )
    page.wait_for_function(
        "() => document.querySelector('#article textarea').value.includes('profit rose')"
    )
    text = _value(page, "article")
    assert "**" not in text and "](" not in text and text.startswith("Harbor Works")


@pytest.mark.browser
def test_hostile_article_is_inert(extractive_server: Server, desktop) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, extractive_server)
    page.locator("#article textarea").fill(HOSTILE)
    page.locator("#length").get_by_text("Long").click()
    page.locator("#brief-button").click()
    _wait_done(page)
    assert "<img src=x" in _value(page, "brief-en")  # the brief copies the markup…
    page.locator("#check").get_by_text("Check").first.click()
    page.locator("#check-table tr.pair").first.wait_for()
    page.locator("#details").get_by_text("Details").first.click()
    page.wait_for_timeout(1000)
    # …and the page shows it as text: in the check view and the JSON view
    check = page.locator("#check-view").inner_text()
    assert "<script>window.__pwned = 1" in check and "<img src=x onerror=" in check
    assert "[the full report](javascript:alert(3))" in check
    assert "**comment**" in check
    assert "onerror" in page.locator("#result-json").inner_text()
    # nothing was created or run
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("strong:text('comment'), b:text('comment')").count() == 0
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('__pwned'))")


@pytest.mark.browser
def test_missing_models_page_names_them_and_disables_the_button(  # type: ignore[no-untyped-def]
    browser, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFING_SUMMARIZER", "org/absent-model")
    monkeypatch.setenv("BRIEFING_TRANSLATOR", "org/absent-translator")
    app = web.build_app(None, ModelNotFoundError("org/absent-model"))
    port = free_port()
    web.launch(app, port=port, block=False, quiet=True)
    try:
        context, page = _page(browser, PHONE)
        page.goto(f"http://127.0.0.1:{port}/")
        box = page.locator("#model-error")
        box.wait_for(timeout=60_000)
        text = box.inner_text()
        assert "org/absent-model" in text and "org/absent-translator" in text
        assert "download org/absent-model org/absent-translator" in text
        assert page.locator("#brief-button").is_disabled()
        assert "Models missing" in page.locator("#brief-button").inner_text()
        assert not page.locator("#brief-en").is_visible()  # no empty result boxes
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        context.close()
    finally:
        app.close()


@pytest.mark.browser
def test_link_on_the_servers_own_network_is_refused_in_words(model_server: Server, desktop) -> None:  # type: ignore[no-untyped-def]
    import web_fixture

    page = desktop
    _open(page, model_server)
    with web_fixture.serve() as site:
        page.locator("#link input").fill(site.url("/article"))
        page.locator("#link input").press("Enter")
        page.locator("#alert .brief-alert").wait_for(timeout=60_000)
    assert "Cannot use that link" in page.locator("#alert").inner_text()
    assert _value(page, "article") == ""
    assert site.hosts == []  # refused before any connection


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_whole_article_side_by_side_in_chinese(model_server: Server, browser, size) -> None:  # type: ignore[no-untyped-def]
    context, page = _page(browser, DESKTOP if size == "desktop" else PHONE)
    try:
        _open(page, model_server)
        page.locator(".example", has_text="Kingsoft Cloud").click()
        page.wait_for_function(
            "() => document.querySelector('#article textarea').value.includes('Kingsoft')"
        )
        page.locator("#article-button").click()
        # progress in the same bar, both buttons disabled while it runs
        page.wait_for_function(
            "() => document.querySelector('#progress .brief-progress')"
            " && document.querySelector('#article-button').disabled"
            " && document.querySelector('#brief-button').disabled",
            timeout=10_000,
        )
        page.locator("#article-table tr.art-pair").first.wait_for()
        page.wait_for_function("() => document.querySelector('#progress .brief-progress.done')")
        page.wait_for_timeout(600)
        assert not page.locator("#article-button").is_disabled()
        rows = page.locator("#article-table tr.art-pair")
        segments = len(SAMPLE.read_text(encoding="utf-8").splitlines())
        assert rows.count() >= segments - 3  # every sentence of the article (tested exactly
        # in test_web.py), a row each
        zh = page.locator("#article-table td.art-zh")
        assert all(has_cjk(text) for text in zh.all_inner_texts())
        first_en = page.locator("#article-table td.art-en").first.bounding_box()
        first_zh = zh.first.bounding_box()
        assert first_en and first_zh
        if size == "phone":  # stacked: the Chinese under its English sentence
            assert first_zh["y"] >= first_en["y"] + first_en["height"] - 1
        else:  # side by side
            assert abs(first_zh["y"] - first_en["y"]) < 2 and first_zh["x"] > first_en["x"]
        # the top of the translation is in view when it is done
        top = page.locator("#article-view").bounding_box()
        assert top and 0 <= top["y"] < page.viewport_size["height"] - 100
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert page.evaluate(
            "() => [...document.querySelectorAll('#article-table td')].every("
            "td => td.getBoundingClientRect().right <= window.innerWidth)"
        )
        href = page.locator("#download-article").evaluate("e => e.closest('a')?.href || ''")
        assert href == "" or href.endswith("-translation.md")
        name = "screenshot-article.png" if size == "desktop" else "screenshot-article-phone.png"
        page.screenshot(path=str(DOCS / name))
        # back to the Brief tab: the brief button still works there
        page.locator("#result-tabs").get_by_role("tab", name="Brief").click()
        assert page.locator("#brief-en").is_visible()
    finally:
        context.close()
