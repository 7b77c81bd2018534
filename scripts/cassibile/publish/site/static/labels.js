/* The Cassibile site: what the search and query pages share. Everything they need to write labels, dates
   and links as the pages written by `cassibile build` do comes from the page's settings (generated from the
   same message catalogue and tables) and from the search index (search-index.js). No network access. */
"use strict";

const Cassibile = (() => {
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const documents = window.cassibileIndex || [];
  const byIri = new Map(documents.map((doc) => [doc.i, doc]));

  /** A message of the page's language, with {placeholders} filled in. */
  function message(key, values = {}) {
    let text = key.split(".").reduce((found, part) => found[part], settings.messages);
    for (const [name, value] of Object.entries(values)) text = text.split(`{${name}}`).join(String(value));
    return text;
  }

  /** An element with attributes and children (strings become text nodes: nothing is parsed as HTML). */
  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, value);
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  /** Where the page of an IRI we mint lives, relative to this page; null for someone else's IRI. */
  function pagePath(iri) {
    if (iri === settings.ontology) return settings.home + "ontology.html";
    for (const [namespace, path] of settings.paths) {
      if (iri.startsWith(namespace) && iri.length > namespace.length) return settings.home + path.replace("{}", iri.slice(namespace.length));
    }
    return null;
  }

  /** A browsable address for someone else's IRI (Wikidata items and properties get their wiki pages). */
  function externalUrl(iri) {
    for (const [namespace, url] of settings.external) if (iri.startsWith(namespace)) return url.replace("{}", iri.slice(namespace.length));
    return iri;
  }

  /** An IRI as a prefixed name where one of the project's prefixes fits. */
  function shortName(iri) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(settings.prefixes)) {
      if (iri.startsWith(namespace) && iri.length > namespace.length && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  /** The label of an IRI in the page's language, else in English (a fallback), else null: {text, lang, fallback}. */
  function label(iri) {
    const doc = byIri.get(iri);
    if (!doc) return null;
    for (const lang of [settings.lang, "en"]) {
      if (doc.l[lang]) return { text: doc.l[lang], lang, fallback: lang !== settings.lang };
    }
    const [lang, text] = Object.entries(doc.l)[0] || [];
    return text ? { text, lang, fallback: lang !== settings.lang } : null;
  }

  /** The marker beside a text shown in another language for want of one in the page's. */
  function fallbackMarker(lang) {
    const name = message("languages." + lang);
    return element("small", { class: "fallback", title: settings.fallback.replace("{language}", name) }, lang.toUpperCase());
  }

  /** Text in its language: a span with lang where it is not the page's, and the fallback marker where it is one. */
  function inLanguage(text, lang, fallback = false) {
    const parts = [lang && lang !== settings.lang ? element("span", { lang }, text) : document.createTextNode(text)];
    if (fallback && lang) parts.push(" ", fallbackMarker(lang));
    return parts;
  }

  const XSD = "http://www.w3.org/2001/XMLSchema#";

  /** A date literal in words, at exactly the precision its datatype carries (as the pages write them). */
  function formatDate(value, datatype) {
    const words = settings.date;
    const year = value.slice(0, 4);
    if (datatype === XSD + "gYear") return year;
    const month = words.months[Number(value.slice(5, 7)) - 1];
    if (datatype === XSD + "gYearMonth") return words.month.replace("{month}", month).replace("{year}", year);
    const dayNumber = Number(value.slice(8, 10));
    const day = dayNumber === 1 && words.first_day ? words.first_day : String(dayNumber);
    const text = words.day.replace("{day}", day).replace("{month}", month).replace("{year}", year);
    return datatype === XSD + "dateTime" ? words.time.replace("{day}", text).replace("{time}", value.slice(11, 16)) : text;
  }

  const DATE_TYPES = new Set(["date", "dateTime", "gYearMonth", "gYear"].map((name) => XSD + name));

  /** A whole number with the language's thousands separator. */
  function formatNumber(text) {
    return /^-?\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, settings.thousands) : text;
  }

  return { settings, documents, byIri, message, element, pagePath, externalUrl, shortName, label, fallbackMarker,
           inLanguage, formatDate, formatNumber, DATE_TYPES, XSD };
})();
