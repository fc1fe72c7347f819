"""The pages anyone can open, in a real browser: Czech by default, the English switch, help and the
accessibility statement, keyboard use, a phone-sized screen, and axe-core on each."""

from __future__ import annotations

from typing import Any

import pytest
from browser_fixtures import (
    CSP_VIOLATIONS,
    PHONE,
    SCREENS,
    LiveServer,
    assert_no_csp_violations,
    check_accessibility,
    new_page,
    no_horizontal_scroll,
    overflowing_elements,
)

PUBLIC_PAGES = [
    ("/prihlaseni", "Přihlášení"),
    ("/zapomenute-heslo", "heslo"),
    ("/napoveda", "Nápověda"),
    ("/napoveda/secretary", "Nápověda pro tajemníka"),
    ("/napoveda/contributor", "Nápověda pro zpracovatele"),
    ("/napoveda/head", "Nápověda pro vedoucího subjektu"),
    ("/napoveda/reviewer", "Nápověda pro hodnotitele"),
    ("/napoveda/commission", "Nápověda pro člena komise"),
    ("/napoveda/admin", "Nápověda pro správce"),
    ("/pristupnost", "Prohlášení o přístupnosti"),
]


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Any:
    CSP_VIOLATIONS.clear()
    page = new_page(browser, live_server.url)
    yield page
    page.context.close()
    assert_no_csp_violations()  # the product's CSP is in force and nothing on the page breaks it


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_czech_and_accessible(page: Any, path: str, heading: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "cs"
    assert heading in page.locator("h1").first.inner_text()
    # landmarks: one banner, one main, one contentinfo; the footer links help and the statement
    assert page.locator("header").count() == 1 and page.locator("main#obsah").count() == 1
    footer = page.locator("footer")
    assert footer.get_by_role("link", name="Prohlášení o přístupnosti").count() == 1
    assert footer.get_by_role("link", name="Nápověda").count() == 1
    check_accessibility(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Any) -> None:
    page.goto("/prihlaseni")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Přeskočit na obsah", "#obsah"]
    # the focused skip link is visible (not clipped away) and has a visible outline
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "obsah"


def test_sign_in_errors_are_announced_and_linked_to_the_fields(page: Any) -> None:
    page.goto("/prihlaseni")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    email = page.get_by_label("E-mail")
    assert email.get_attribute("aria-invalid") == "true"
    described = (email.get_attribute("aria-describedby") or "").split()
    assert described, "the e-mail field does not point to its error"
    error_text = page.locator(f"#{described[-1]}").inner_text()
    assert error_text.strip(), "empty error message"
    page.screenshot(path=str(SCREENS / "public-login-errors.png"), full_page=True)
    check_accessibility(page)


def test_anonymous_language_switch_to_english_and_back(page: Any) -> None:
    page.goto("/prihlaseni")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text().strip() == "Sign in"
    assert page.get_by_role("link", name="Accessibility statement").count() == 1
    page.screenshot(path=str(SCREENS / "public-login-en.png"), full_page=True)
    check_accessibility(page)
    page.goto("/pristupnost")
    assert page.locator("h1").inner_text().strip() == "Accessibility statement"
    check_accessibility(page)
    page.get_by_role("button", name="Česky").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cs"
    assert page.locator("h1").inner_text().strip() == "Prohlášení o přístupnosti"


@pytest.mark.parametrize("path", ["/prihlaseni", "/napoveda/contributor", "/pristupnost"])
def test_pages_fit_a_phone_screen(browser: Any, live_server: LiveServer, path: str) -> None:
    page = new_page(browser, live_server.url, viewport=PHONE)
    try:
        page.goto(path)
        wide = [] if no_horizontal_scroll(page) else overflowing_elements(page)
        assert not wide, f"{path} scrolls sideways at 375 px: {wide}"
        page.screenshot(path=str(SCREENS / f"phone{path.replace('/', '-')}.png"), full_page=True)
        check_accessibility(page)
    finally:
        page.context.close()


def test_print_hides_navigation(page: Any) -> None:
    page.goto("/napoveda/contributor")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("footer").is_visible()
    assert page.locator("h1").is_visible()


def test_the_csp_blocks_injected_inline_code_and_it_is_seen(browser: Any, live_server: LiveServer) -> None:
    """Control for the CSP checks above: an inline script is refused, and the refusal is reported."""
    page = new_page(browser, live_server.url)
    try:
        page.goto("/prihlaseni")
        CSP_VIOLATIONS.clear()
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
            " document.body.appendChild(s); }"
        )
        page.wait_for_timeout(300)
        assert page.evaluate("() => typeof window.injected") == "undefined"
        assert any("script-src" in v for v in CSP_VIOLATIONS), CSP_VIOLATIONS
    finally:
        CSP_VIOLATIONS.clear()
        page.context.close()
