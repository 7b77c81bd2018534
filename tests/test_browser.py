"""The site in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium.

A historian's path through the served site — index, an entity, one of its passages, the passage in its
source, back to the fact, the timeline — with no console error on any page, nothing loaded from anywhere
but the server, and a screenshot of each page in the test's tmp folder; then the same from file://.
Every kind of page, in each of the four languages, at a phone's width (390 px) and a laptop's (1280 px):
nothing scrolls sideways, and axe-core (vendored in tests/vendor/) finds no serious or critical violation.
Search finds entities by their names in each language, from file:// and served; a bundled query runs from
the query page with a parameter, binds it as `cassibile query` does, and shows labelled results.
Nothing waits for a fixed time: every wait is for a condition.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from cassibile.errors import UsageError
from cassibile.namespaces import LANGUAGES
from cassibile.sparql.query import bind, bindings_for, bundled_queries, run_local, store_from_file

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900")
TARGET_HIGHLIGHT = "rgba(255, 183, 77, 1)"  # --target in site.css: the passage a link points at
HEADER_BACKGROUND = "rgba(29, 39, 51, 1)"  # --ink: proof that the stylesheet loaded
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)
FOLDERS = {"en": "", "it": "it/", "de": "de/", "pt": "pt/"}
# One page of each kind (a fact and a claim whose IRIs are in the data, checked below).
PAGE_KINDS = {
    "index": "index.html", "entity": "id/armistice-of-cassibile.html", "source": "source/en-article.html",
    "fact": "fact/session-of-the-grand-council-of-fascism-july-1943--pointInTime--1943-07-25.html",
    "claim": "claim/en-article--signing-ceremony.html", "timeline": "timeline.html", "ontology": "ontology.html",
    "dataset": "dataset.html", "search": "search.html?q=Badoglio", "queries": "sparql/index.html",
}
# The armistice by its name in each language: what a reader types, and what the search must find.
NAMES = {"en": "Armistice of Cassibile", "it": "armistizio Cassibile", "de": "Waffenstillstand von Cassibile",
         "pt": "armisticio cassibile"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "chromedriver"), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def phone(browser):
    """The browser at a phone's width for one test, back at a laptop's after it."""
    browser.set_window_size(390, 900)
    yield browser
    browser.set_window_size(1280, 900)


def wait(driver, condition, timeout: float = 30):
    return WebDriverWait(driver, timeout).until(condition)


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


def horizontal_overflow(driver) -> list[str]:
    """What sticks out past the right edge of the window, if the document scrolls sideways (else nothing)."""
    return driver.execute_script("""
        const width = document.documentElement.scrollWidth;
        if (width <= window.innerWidth) return [];
        const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + Math.round(e.getBoundingClientRect().right));
        return [`the document is ${width} px wide`, ...wide];""")


def axe_violations(driver) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, each with the elements at fault."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
           .then(r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
               .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
           .catch(e => done(['axe failed: ' + e]));""")
    return found


def test_the_page_kinds_are_real_pages(built):
    """The fact and the claim the browser tests visit are in the data (so that the tests cannot pass on a 404)."""
    for kind in ("fact", "claim"):
        assert (built / "site" / PAGE_KINDS[kind]).is_file(), kind


def test_a_reader_follows_a_fact_to_its_quote_and_back_and_on_to_the_timeline(browser, served, tmp_path):
    browser.get(served)
    assert browser.title.startswith("Index")
    check_page(browser, served, tmp_path / "index.png")

    click(browser, "section#people a[href='id/giuseppe-castellano.html']")
    click(browser, "a[href='../id/armistice-of-cassibile.html']")  # from a fact naming Castellano to the armistice
    assert browser.current_url == served + "id/armistice-of-cassibile.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    check_page(browser, served, tmp_path / "entity.png")

    reference = browser.find_element(By.CSS_SELECTOR, "article.fact p.evidence a[href^='#passage-']")
    fact = reference.find_element(By.XPATH, "ancestor::article[1]").get_attribute("id")
    claim = reference.get_attribute("href").split("#passage-", 1)[1]
    click(browser, f"article[id='{fact}'] p.evidence a[href='#passage-{claim}']")
    assert browser.execute_script("return document.querySelector(':target').id") == f"passage-{claim}"
    click(browser, f"li[id='passage-{claim}'] a[href$='#{claim}']")
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


def test_a_passage_is_highlighted_while_its_marker_is_pointed_at(browser, served):
    """The margin marker of a passage shows exactly what it quotes when pointed at, and nothing is highlighted before."""
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get(served + "source/en-article.html")
    marker = browser.find_element(By.CSS_SELECTOR, ".source-text .note-ref a")
    number = marker.text.split()[-1]
    marks = browser.find_elements(By.CSS_SELECTOR, f".source-text mark.q-{number}")
    assert marks and all(m.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)" for m in marks)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", marker)
    ActionChains(browser).move_to_element(marker).perform()
    wait(browser, lambda d: all(m.value_of_css_property("background-color") == TARGET_HIGHLIGHT for m in marks))


def test_an_entity_iri_opens_its_page_through_content_negotiation(browser, served, tmp_path):
    browser.get(served + "id/armistice-of-cassibile")
    assert browser.current_url == served + "id/armistice-of-cassibile.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    check_page(browser, served, tmp_path / "negotiated.png")


def test_a_fact_iri_opens_its_page_through_content_negotiation(browser, served):
    path = PAGE_KINDS["fact"].removesuffix(".html")
    browser.get(served + path)
    assert browser.current_url == served + path + ".html"
    assert "25 July 1943" in browser.find_element(By.TAG_NAME, "h1").text


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_of_page_fits_the_width_and_passes_axe(browser, served, tmp_path, lang, width):
    """No page scrolls sideways at a phone's or a laptop's width, and axe-core finds nothing serious or critical:
    on every kind of page in every language at the phone's width, and in English at the laptop's too (the other
    languages' pages are the same elements in other words)."""
    browser.set_window_size(width, 900)
    with_axe = width == WIDTHS[0] or lang == "en"
    try:
        failures = {}
        for kind, path in PAGE_KINDS.items():
            browser.get(served + FOLDERS[lang] + path)
            wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            if kind == "search":
                wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li"))
            check_page(browser, served, tmp_path / f"{kind}-{lang}-{width}.png")
            problems = horizontal_overflow(browser) + (axe_violations(browser) if with_axe else [])
            if problems:
                failures[kind] = problems
        assert not failures, failures
    finally:
        browser.set_window_size(1280, 900)


def test_the_timeline_keeps_its_row_names_in_view_on_a_phone(phone, served):
    """Scrolled sideways to the last months, the plot still has each row's name beside it."""
    phone.get(served + "it/timeline.html")
    scroller = phone.find_element(By.CSS_SELECTOR, ".timeline-scroll")
    first = phone.find_element(By.CSS_SELECTOR, "ol.timeline-labels li a")
    left = scroller.rect["x"]
    phone.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", scroller)
    wait(phone, lambda d: d.execute_script("return arguments[0].scrollLeft", scroller) > 300)
    assert abs(first.rect["x"] - left) < 20 and first.is_displayed()
    assert first.text and phone.execute_script("return document.documentElement.scrollWidth <= innerWidth")


def _search(driver, url: str, text: str) -> list[str]:
    """Type into the search page's field, as a reader would; the links of the results, once there are some."""
    driver.get(url)
    field = driver.find_element(By.ID, "search-input")
    field.clear()
    field.send_keys(text)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
    return [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results li > a")]


@pytest.mark.parametrize("where", ["served", "file"])
def test_search_finds_an_entity_by_its_name_in_each_language(browser, served, built, tmp_path, where):
    origin = served if where == "served" else (built / "site").as_uri() + "/"
    for page_lang in LANGUAGES:
        for name_lang, name in NAMES.items():
            found = _search(browser, origin + FOLDERS[page_lang] + "search.html", name)
            assert found[0] == origin + FOLDERS[page_lang] + "id/armistice-of-cassibile.html", (page_lang, name_lang, found[:3])
        check_page(browser, origin if where == "served" else "file://", tmp_path / f"search-{page_lang}.png")
    browser.get(origin + "de/index.html")  # the header's search field, submitted: the search page with its results
    field = browser.find_element(By.ID, "site-search")
    field.send_keys("Bedell Smith", Keys.ENTER)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
    first = browser.find_element(By.CSS_SELECTOR, "#search-results li > a")
    assert first.get_attribute("href") == origin + "de/id/walter-bedell-smith.html"
    assert browser.find_element(By.ID, "search-input").get_attribute("value") == "Bedell Smith"


def test_a_bundled_query_runs_with_a_parameter_and_shows_labelled_results(browser, served, built, root, tmp_path):
    """events-at-place for Sicily on the Italian page, the place typed as a prefixed IRI: the rows `cassibile query`
    gives, in its order; labels in Italian and dates in Italian words, each linked to its page, the IRI shown on
    request; and axe content with the results on the page."""
    query = bundled_queries(root / "queries")["events-at-place"]
    expected = run_local(store_from_file(built / "cassibile.nq"), query.text,
                         bindings_for(query, {"place": "id:sicily", "lang": "it"}))
    browser.get(served + "it/sparql/index.html#events-at-place")
    place = browser.find_element(By.ID, "events-at-place--place")
    place.clear()
    place.send_keys("id:sicily")
    assert Select(browser.find_element(By.ID, "events-at-place--lang")).first_selected_option.get_attribute("value") == "it"
    click(browser, "section#events-at-place form.run button")
    table = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "section#events-at-place .results table"))[0]
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == [v for v in expected.variables if v != "locationLabel"]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    click(browser, "#show-iris")
    assert [r.find_element(By.CSS_SELECTOR, "td a.iri").text for r in rows] == [str(row[0]) for row in expected.rows]
    first = rows[0]
    event = first.find_element(By.CSS_SELECTOR, "td a:not(.iri)")
    assert event.text == "sbarco dell'8ª Armata britannica in Sicilia"
    assert event.get_attribute("href") == served + "it/id/landing-of-the-british-eighth-army-in-sicily.html"
    assert "10 luglio 1943" in first.text and "^^" not in table.text
    click(browser, "#show-iris")
    assert not first.find_element(By.CSS_SELECTOR, "td a.iri").is_displayed() and "http" not in table.text
    check_page(browser, served, tmp_path / "query.png")
    assert not axe_violations(browser)


def test_the_query_page_from_a_file_says_queries_need_the_server(browser, built):
    browser.get((built / "site" / "sparql" / "index.html").as_uri())
    notice = browser.find_element(By.ID, "needs-server")
    assert notice.is_displayed() and "cassibile serve" in notice.text
    assert not browser.find_element(By.CSS_SELECTOR, "section#timeline form.run button").is_enabled()


# Values a reader might type, per parameter type: good ones, and ones `cassibile query` refuses.
TYPED_VALUES = {
    "iri": ["id:cassibile", " id:armistice-of-cassibile ", "https://w3id.org/cassibile/id/rome", "urn:x:y", "id", "wd:Q1",
            "cas:pointInTime", "http://a b", "not an iri", "http://x/<y>", "id:x\"y", "http://a%zz", "x:é", "id://host",
            "http://example.org/a#b}", "", " "],
    "qid": ["Q200085", " Q1 ", "Q0", "q1", "Q12a", "P31", ""],
    "date": ["1943", "1943-09", "1943-09-03", " 1943-9 ", "1943-13", "1944-02-29", "1943-02-29", "1900-02-29", "2000-02-29",
             "1943-04-31", "43-09-03", "1943-09-03T10:00", ""],
    "language": ["en", "DE", "pt-BR", "x-klingon-1", "e n", "123", "toolongtag", ""],
}


def test_the_query_page_binds_parameters_exactly_as_cassibile_query_does(browser, built, root):
    """The page's binder against `cassibile query`'s (query.bindings_for and query.bind) on the same values:
    the same query text where Python accepts a value; where it refuses one, so does the page, or the
    endpoint's parser (oxigraph's, which checks an IRI's syntax for `cassibile query` too) refuses the text."""
    browser.get((built / "site" / "sparql" / "index.html").as_uri())
    queries = {name: q for name, q in bundled_queries(root / "queries").items() if q.is_published}
    compared = refused = 0
    for name, query in queries.items():
        for parameter in query.parameters:
            for raw in TYPED_VALUES.get(parameter.type, []):
                given = {parameter.name: raw}
                try:
                    expected = bind(query.text, bindings_for(query, given))
                except UsageError:
                    expected = None
                got = browser.execute_script(
                    "try { return CassibileQueries.bind(arguments[0], arguments[1]); } catch (e) { return null; }", name, given)
                if expected is not None:
                    assert got == expected, (name, parameter.name, raw)
                    compared += 1
                elif got is not None:
                    with pytest.raises(SyntaxError):
                        ox.Store().query(got)
                    refused += 1
    assert compared >= 40 and refused < 5, (compared, refused)


TERMS = {
    "string": ['plain', 'quote " and backslash \\', "line\nbreak\ttab\r", "\x00\x07\x1f\x7f", "é ü ç 😀 \u2028", "  spaced  ", "",
               '") } ; DROP ALL #'],
    "integer": ["42", "-7", "007", "-0", " 12 ", "123456789012345678901234567890", "4.2", "1e3", "x", ""],
    **TYPED_VALUES,
}


def test_the_query_page_makes_the_same_rdf_terms_as_cassibile_query(browser, built):
    """For every parameter type, text included that would break a query pasted into it: the page's term, as SPARQL
    text, is oxigraph's writing of `query.parse_parameter`'s term, or both refuse the value (the endpoint's parser
    standing in for oxigraph's IRI check, as above)."""
    from cassibile.sparql.query import Parameter, parse_parameter
    from cassibile.terms import to_oxigraph

    browser.get((built / "site" / "sparql" / "index.html").as_uri())
    for kind, values in TERMS.items():
        for raw in values:
            try:
                expected = str(to_oxigraph(parse_parameter(Parameter("p", kind), raw)))
            except UsageError:
                expected = None
            got = browser.execute_script("return CassibileQueries.term({name: 'p', type: arguments[0]}, arguments[1]);", kind, raw)
            if expected is not None or got is None:
                assert got == expected, (kind, raw)
            else:
                with pytest.raises(SyntaxError):
                    ox.Store().query(f"SELECT * WHERE {{ VALUES ?p {{ {got} }} }}")


def test_the_site_works_from_file_urls(browser, built, tmp_path):
    origin = (built / "site").as_uri() + "/"
    browser.get(origin + "index.html")
    check_page(browser, "file://", tmp_path / "file-index.png")
    click(browser, "a[href='id/armistice-of-cassibile.html']")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Armistice of Cassibile"
    click(browser, "ol.passages a[href*='../source/']")
    assert "/source/" in browser.current_url and browser.find_element(By.CSS_SELECTOR, ".source-text").is_displayed()
    check_page(browser, "file://", tmp_path / "file-source.png")
    click(browser, "nav.languages a[hreflang='pt']")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pt"
    assert browser.current_url.startswith(origin + "pt/source/")
    check_page(browser, "file://", tmp_path / "file-source-pt.png")
