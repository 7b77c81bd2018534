/* The query page: runs the bundled queries on the SPARQL endpoint of `cassibile serve` (/sparql), with their
   parameters bound as `cassibile query` binds them, and shows the results with labels and readable values.

   Binding: the build wrote each query's text with its VALUES blocks already in place (by the Python binder,
   `cassibile.sparql.query.bind`), a placeholder IRI standing for each parameter. Here each placeholder is replaced
   by the RDF term made from the reader's text by the rules of the parameter's type (patterns, prefixes and
   datatypes from the build, `query.parse_parameter`'s), written as oxigraph writes terms. The reader's
   text never enters the query otherwise, so it cannot change what the query means. */
"use strict";

const CassibileQueries = (() => {
  const { settings, message, element, pagePath, externalUrl, shortName, label, inLanguage, fallbackMarker,
          formatDate, formatNumber, DATE_TYPES, XSD } = Cassibile;
  const rules = settings.rules;

  class BindingError extends Error {
    constructor(parameter, value) {
      super(message("invalid", { name: parameter.name, expected: settings.types[parameter.type], value }));
    }
  }

  const fullMatch = (pattern, text) => new RegExp(`^(?:${pattern})$`, "u").exec(text);

  /** A lower-case language tag, or its language where the tag is regional and the publication has no labels
      in it but has in the language (pt-BR: pt), as query.parse_parameter does. */
  function language(tag) {
    const base = tag.split("-")[0];
    return !rules.languages.includes(tag) && rules.languages.includes(base) ? base : tag;
  }

  /** A string literal as oxigraph writes it (N-Triples escapes). */
  function literal(text, datatype = null) {
    let out = '"';
    for (const character of text) {
      const code = character.codePointAt(0);
      const escapes = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
      if (escapes[character]) out += escapes[character];
      else if (code < 0x20 || code === 0x7f) out += "\\u" + code.toString(16).toUpperCase().padStart(4, "0");
      else out += character;
    }
    return out + '"' + (datatype ? `^^<${datatype}>` : "");
  }

  /** An IRI, absolute or with one of the project's prefixes; null for text that cannot be one. The
      endpoint's parser checks the rest of the IRI syntax, as oxigraph's does for `cassibile query`. */
  function iri(text) {
    const colon = text.indexOf(":");
    const [prefix, local] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
    const full = Object.hasOwn(rules.prefixes, prefix) && !local.startsWith("//") ? rules.prefixes[prefix] + local : text;
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(full) || /[\u0000-\u0020<>"{}|^`\\]/u.test(full) || /%(?![0-9A-Fa-f]{2})/.test(full)) return null;
    return `<${full}>`;
  }

  const leap = (year) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

  /** A date at the precision it is given in: xsd:gYear, xsd:gYearMonth or xsd:date; null for an impossible one. */
  function date(text) {
    const match = fullMatch(rules.patterns.date, text);
    if (!match) return null;
    const [year, month, day] = match.slice(1, 4).map((part) => (part === undefined ? null : Number(part)));
    if (month !== null && !(month >= 1 && month <= 12)) return null;
    const days = month && [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    if (day !== null && !(day >= 1 && day <= days)) return null;
    return literal(text, rules.dates[day !== null ? 2 : month !== null ? 1 : 0]);
  }

  /** The RDF term (in SPARQL syntax) for a parameter's text, by its declared type; null when it is not one. */
  function term(parameter, raw) {
    const text = parameter.type === "string" ? raw : raw.trim();
    switch (parameter.type) {
      case "iri": return iri(text);
      case "qid": return fullMatch(rules.patterns.qid, text) ? `<${rules.prefixes.wd}${text}>` : null;
      case "date": return date(text);
      case "language": return fullMatch(rules.patterns.language, text) ? literal(language(text.toLowerCase())) : null;
      case "string": return literal(text);
      case "integer": return fullMatch(rules.patterns.integer, text) ? literal(BigInt(text).toString(), rules.integer) : null;
      default: return null;
    }
  }

  /** The query's text with every parameter bound: the given text, else the declared default. */
  function bind(name, given) {
    const query = settings.queries[name];
    let text = query.template;
    for (const parameter of query.parameters) {
      const raw = Object.hasOwn(given, parameter.name) ? given[parameter.name] : parameter.default;
      const bound = raw === null || raw === undefined ? null : term(parameter, raw);
      if (bound === null) throw new BindingError(parameter, raw ?? "");
      text = text.split(`<${rules.placeholder}${parameter.name}>`).join(bound);
    }
    return text;
  }

  // --- running a query and showing its results ---------------------------------------------------

  const endpoint = () => new URL(settings.root + "sparql", window.location.href).href;

  function formValues(form) {
    const given = {};
    for (const field of form.querySelectorAll("[name]")) if (field.value !== "") given[field.name] = field.value;
    return given;
  }

  function say(container, text, className = "status") {
    container.replaceChildren(element("p", { class: className, role: className === "error" ? "alert" : null }, text));
  }

  async function run(form) {
    const results = form.closest("section").querySelector(".results");
    if (window.location.protocol === "file:") return say(results, message("needs_server"), "error");
    let text;
    try {
      text = form.dataset.query ? bind(form.dataset.query, formValues(form)) : form.elements.query.value;
    } catch (error) {
      if (error instanceof BindingError) return say(results, error.message, "error");
      throw error;
    }
    say(results, message("running"));
    let response;
    try {
      response = await fetch(endpoint(), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
        body: new URLSearchParams({ query: text }),
      });
    } catch (error) {
      return say(results, message("unreachable", { message: error.message }), "error");
    }
    if (!response.ok) {
      const detail = (await response.text()).trim().slice(0, 600) || `${response.status} ${response.statusText}`;
      return say(results, message("failed", { message: detail }), "error");
    }
    show(results, await response.json(), text);
  }

  /** The value of a result cell: a labelled link (and the IRI, shown on request), a date in words, a number,
      text in its language; an IRI's label from the query's ?xLabel column where it has one, else from the index. */
  function cell(value, labelValue) {
    if (!value) return [];
    if (value.type === "uri") {
      const known = labelValue ? { text: labelValue.value, lang: labelValue["xml:lang"] || null, fallback: false } : label(value.value);
      const shown = known ? inLanguage(known.text, known.lang) : [shortName(value.value)];
      const parts = [element("a", { href: pagePath(value.value) || externalUrl(value.value) }, ...shown)];
      if (known && known.fallback) parts.push(" ", fallbackMarker(known.lang));
      parts.push(element("a", { class: "iri", href: value.value }, value.value));
      return parts;
    }
    if (value.type === "bnode") return ["_:" + value.value];
    const datatype = value.datatype;
    if (datatype && DATE_TYPES.has(datatype)) return [formatDate(value.value, datatype)];
    if (datatype === XSD + "integer") return [formatNumber(value.value)];
    if (datatype === XSD + "boolean") return [message(value.value === "true" ? "yes" : "no")];
    const lang = value["xml:lang"];
    if (lang && lang !== settings.lang) return [element("span", { lang }, value.value), element("small", { class: "lang" }, lang)];
    return [value.value];
  }

  function show(container, data, text) {
    const bound = element("details", { class: "query-text" }, element("summary", {}, message("bound")),
                          element("pre", { tabindex: "0" }, element("code", {}, text)));
    if (typeof data.boolean === "boolean") {
      container.replaceChildren(element("p", { class: "status" }, message(data.boolean ? "yes" : "no")), bound);
      return;
    }
    const variables = data.head.vars;
    const labelled = new Set(variables.filter((name) => variables.includes(name + "Label")));
    const columns = variables.filter((name) => !(name.endsWith("Label") && labelled.has(name.slice(0, -5))));
    const rows = data.results.bindings;
    const count = rows.length === 1 ? message("one_row") : message("rows", { count: formatNumber(String(rows.length)) });
    if (rows.length === 0) {
      container.replaceChildren(element("p", { class: "status" }, message("no_rows")), bound);
      return;
    }
    const head = element("tr", {}, ...columns.map((name) => element("th", { scope: "col" }, element("code", {}, name))));
    const body = rows.map((row) => element("tr", {}, ...columns.map((name) =>
      element("td", { "data-label": name }, ...cell(row[name], labelled.has(name) ? row[name + "Label"] : null)))));
    const table = element("table", { class: "stack" }, element("thead", {}, head), element("tbody", {}, ...body));
    container.replaceChildren(element("p", { class: "status" }, count), table, bound);
  }

  // --- the page ----------------------------------------------------------------------------------

  function start() {
    const offline = window.location.protocol === "file:";
    document.getElementById("needs-server").hidden = !offline;
    for (const form of document.querySelectorAll("form.run")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        run(form);
      });
      if (offline) form.querySelector("button").disabled = true;
    }
    const choices = document.getElementById("iris");
    for (const doc of Cassibile.documents) {
      if (doc.k !== "terms") choices.append(element("option", { value: shortName(doc.i) }, (label(doc.i) || {}).text || doc.i));
    }
  }

  start();
  return { bind, term };
})();
