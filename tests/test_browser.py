"""The site in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium.

A historian's path through the served site — index, an entity, one of its quotations in the source,
back to the fact, the timeline — with no console error on any page, nothing loaded from anywhere
but the server, and a screenshot of each page in the test's tmp folder; then the same from file://.
"""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900")
TARGET_HIGHLIGHT = "rgba(255, 183, 77, 1)"  # --target in site.css: the passage a link points at
HEADER_BACKGROUND = "rgba(29, 39, 51, 1)"  # --ink: proof that the stylesheet loaded


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "chromedriver"), options=options)
    yield driver
    driver.quit()


def check_page(driver, origin: str, screenshot) -> None:
    """The page in the browser loaded everything from `origin`, logged no error, and is saved as a PNG."""
    assert driver.execute_script("return document.readyState") == "complete"
    errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith(origin) for name in loaded), loaded
    assert driver.find_element(By.CSS_SELECTOR, "header.site").value_of_css_property("background-color") == HEADER_BACKGROUND
    assert driver.save_screenshot(str(screenshot))


def click(driver, css: str) -> None:
    """Follow a link as a reader would (scrolled into view, then clicked)."""
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_a_reader_follows_a_fact_to_its_quote_and_back_and_on_to_the_timeline(browser, served, tmp_path):
    browser.get(served)
    assert browser.title.startswith("Index")
    check_page(browser, served, tmp_path / "index.png")

    click(browser, "section#people a[href='id/giuseppe-castellano.html']")
    click(browser, "a[href='../id/armistice-of-cassibile.html']")  # from a fact naming Castellano to the armistice
    assert browser.current_url == served + "id/armistice-of-cassibile.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    check_page(browser, served, tmp_path / "entity.png")

    quote_link = browser.find_element(By.CSS_SELECTOR, "article.fact ul.evidence a[href*='#']:not([href^='http'])")
    fact = quote_link.find_element(By.XPATH, "ancestor::article[1]").get_attribute("id")
    claim = quote_link.get_attribute("href").split("#", 1)[1]
    click(browser, f"article[id='{fact}'] ul.evidence a[href$='#{claim}']")
    assert browser.current_url.split("#")[1] == claim and "/source/" in browser.current_url
    marks = browser.find_elements(By.CSS_SELECTOR, f".source-text mark.q-{_passage_number(browser, claim)}")
    assert marks and all(m.value_of_css_property("background-color") == TARGET_HIGHLIGHT for m in marks)
    check_page(browser, served, tmp_path / "source.png")

    click(browser, f"li[id='note-{claim}'] a[href='../id/armistice-of-cassibile.html#{fact}']")
    assert browser.execute_script("return document.querySelector(':target').id") == fact

    click(browser, "header.site a[href='../timeline.html']")
    assert browser.find_element(By.CSS_SELECTOR, "figure.timeline svg").is_displayed()
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg .tl-mark")) > 20
    check_page(browser, served, tmp_path / "timeline.png")
    click(browser, "svg a[href='id/armistice-of-cassibile.html#armistice-of-cassibile--pointInTime--1943-09-03'] circle")
    assert browser.current_url == served + "id/armistice-of-cassibile.html#armistice-of-cassibile--pointInTime--1943-09-03"


def _passage_number(driver, claim: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f"li[id='note-{claim}']").get_attribute("value")


def test_an_entity_iri_opens_its_page_through_content_negotiation(browser, served, tmp_path):
    browser.get(served + "id/armistice-of-cassibile")
    assert browser.current_url == served + "id/armistice-of-cassibile.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    check_page(browser, served, tmp_path / "negotiated.png")


def test_the_query_page_runs_a_query_without_the_internet(browser, served, tmp_path):
    browser.get(served + "sparql/")
    click(browser, ".yasqe_queryButton")
    cells = WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody td"))
    assert any("armistice-of-cassibile" in c.text for c in cells)
    check_page(browser, served, tmp_path / "sparql.png")


def test_the_site_works_from_file_urls(browser, built, tmp_path):
    origin = (built / "site").as_uri() + "/"
    browser.get(origin + "index.html")
    check_page(browser, "file://", tmp_path / "file-index.png")
    click(browser, "a[href='id/armistice-of-cassibile.html']")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    click(browser, "ul.evidence a[href*='../source/']")
    assert "/source/" in browser.current_url and browser.find_element(By.CSS_SELECTOR, ".source-text").is_displayed()
    check_page(browser, "file://", tmp_path / "file-source.png")
