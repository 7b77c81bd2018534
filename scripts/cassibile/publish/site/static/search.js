/* The search page: MiniSearch over the names of every entity, source and ontology term, in the four
   languages (and their other names), accents and case ignored, prefixes and small typos allowed. */
"use strict";

(() => {
  const { settings, documents, message, element, pagePath, label, inLanguage } = Cassibile;
  const LANGUAGES = ["en", "it", "de", "pt"];
  const fold = (term) => term.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

  const index = new MiniSearch({
    idField: "n",
    fields: [...LANGUAGES, "other"],
    extractField: (doc, field) => (field === "n" ? doc.n : field === "other" ? (doc.a || []).map((a) => a[1]).join(" ") : doc.l[field] || ""),
    processTerm: fold,
    searchOptions: {
      prefix: true,
      fuzzy: (term) => (term.length > 4 ? 0.2 : 0),
      combineWith: "AND",
      boost: { [settings.lang]: 1.5 },
      boostDocument: (id) => (documents[id].k === "terms" ? 0.5 : 1),
    },
  });
  index.addAll(documents.map((doc, n) => ({ ...doc, n })));

  const input = document.getElementById("search-input");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const LIMIT = 50;

  /** The labels a result matched that are not the one it is shown by: [language, label]. */
  function otherMatches(doc, result, shownLang) {
    const fields = new Set(Object.values(result.match).flat());
    const found = [];
    for (const lang of LANGUAGES) if (fields.has(lang) && lang !== shownLang && doc.l[lang]) found.push([lang, doc.l[lang]]);
    if (fields.has("other")) for (const [lang, text] of doc.a || []) found.push([lang, text]);
    return found;
  }

  const words = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

  /** How much of the document's closest name the query's words cover (0 to 1): a name that is nearly the
      query ranks before a longer one that merely contains it (MiniSearch adds up the matches of every
      field, so an entity with more names containing the words would win). */
  function coverage(doc, queryWords) {
    const names = [...Object.values(doc.l), ...(doc.a || []).map((other) => other[1])];
    return Math.max(0, ...names.map((name) => {
      const nameWords = words(name);
      return nameWords.filter((word) => queryWords.some((q) => word.startsWith(q))).length / (nameWords.length || 1);
    }));
  }

  function ranked(text) {
    const queryWords = words(text);
    const results = index.search(text).map((result) => ({ result, cover: coverage(documents[result.id], queryWords) }));
    results.sort((a, b) => b.cover - a.cover || b.result.score - a.result.score);
    return results.map((entry) => entry.result);
  }

  function render(query) {
    list.replaceChildren();
    const text = query.trim();
    if (!text) {
      status.textContent = "";
      return;
    }
    const results = ranked(text);
    status.textContent = results.length === 0 ? message("no_results", { query: text })
      : message(results.length === 1 ? "one_result" : "results", { count: results.length, query: text });
    for (const result of results.slice(0, LIMIT)) {
      const doc = documents[result.id];
      const shown = label(doc.i) || { text: doc.i, lang: null, fallback: false };
      const link = element("a", { href: pagePath(doc.i) }, ...inLanguage(shown.text, shown.lang));
      const item = element("li", {}, link, element("span", { class: "kind-name" }, message("kinds." + doc.k)));
      if (shown.fallback) item.append(" ", Cassibile.fallbackMarker(shown.lang));
      for (const [lang, other] of otherMatches(doc, result, shown.lang)) {
        item.append(element("span", { class: "matched" }, `${message("languages." + lang)}: `, element("span", { lang }, other)));
      }
      if (doc.d) {
        const lang = doc.d[settings.lang] ? settings.lang : Object.keys(doc.d)[0];
        item.append(element("span", { class: "gloss" }, ...inLanguage(doc.d[lang], lang, lang !== settings.lang)));
      }
      list.append(item);
    }
  }

  const query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  document.getElementById("site-search").value = query;
  input.addEventListener("input", () => render(input.value));
  render(query);
})();
