"""JSON-LD compaction of many expanded documents with one fixed context, at the speed of a dict lookup.

pyld compacts about 3,000 values a second: 30 ms for one entity document, more than a minute for
the documents of a 100k-triple graph. But every value of one property and one shape (a string in
a language, a literal of a datatype, a node) gets the same term and the same form. So `Compactor`
asks pyld once per (property, shape), on a document holding one such value, and reuses the term
pyld chose; it renders the value by that term's definition and compacts IRIs with the context's
prefixes as the JSON-LD 1.1 algorithms do. tests/test_exports.py checks the result against pyld's
own compaction, document for document.

>>> compactor = Compactor({"@vocab": "http://ex.org/", "id": "@id", "ex": "http://ex.org/",
...                        "name": {"@id": "ex:name", "@container": "@language"}})
>>> compactor.compact({"@id": "http://ex.org/a", "http://ex.org/name": [{"@value": "A", "@language": "en"}]})
{'id': 'ex:a', 'name': {'en': 'A'}}
"""

from __future__ import annotations

_KEYWORDS = ("@id", "@type", "@value", "@language")
_GEN_DELIMS = tuple(":/?#[]@")
_SAMPLE = "urn:cassibile:sample"  # a node the context has no prefix for
_CONTEXT_URL = "urn:cassibile:context"  # how the compactor names its context to pyld (never fetched)


class Compactor:
    def __init__(self, context: dict):
        self.context = context
        self.alias = {keyword: next((t for t, v in context.items() if v == keyword), keyword) for keyword in _KEYWORDS}
        self.vocab = context.get("@vocab")
        self.definitions = {term: self._definition(value) for term, value in context.items() if not term.startswith("@")}
        self.prefixes = sorted(
            (term, d["@id"]) for term, d in self.definitions.items()
            if d.get("simple") and ":" not in term and d["@id"].endswith(_GEN_DELIMS)
        )
        self.vocab_terms = self._vocab_terms()
        self._iris: dict[tuple[str, bool], str] = {}
        self._terms: dict[tuple, str] = {}
        self._kept: dict[int, tuple[dict, dict]] = {}
        self._options: dict | None = None

    def _definition(self, value) -> dict:
        """A term definition with its IRI expanded; "simple" when it is an IRI and nothing else."""
        if isinstance(value, str):
            return {"@id": self._expand(value), "simple": True}
        definition = dict(value)
        key = "@reverse" if "@reverse" in definition else "@id"
        definition["@id"] = self._expand(definition.get(key, ""))
        definition["reverse"] = key == "@reverse"
        if isinstance(definition.get("@container"), str):
            definition["@container"] = [definition["@container"]]
        if definition.get("@type") not in (None, "@id", "@vocab"):
            definition["@type"] = self._expand(definition["@type"])
        return definition

    def _vocab_terms(self) -> dict[str, str]:
        """IRI -> the term that stands for it where an IRI is compacted with vocab=true and no value
        (types, @vocab-coerced values): pyld looks for a term with an @set container, then with
        none; in each, one coerced to @id, then one with no coercion; the shortest name wins."""
        def rank(item):
            term, d = item
            return ("@set" not in d.get("@container", []), d.get("@type") != "@id", len(term), term)

        found: dict[str, str] = {}
        for term, d in sorted(self.definitions.items(), key=rank):
            usable = not d.get("reverse") and set(d.get("@container", [])) <= {"@set"} and d.get("@type") in (None, "@id")
            if usable and not d.get("@language") and d["@id"] not in _KEYWORDS:
                found.setdefault(d["@id"], term)
        return found

    def _expand(self, text: str) -> str:
        prefix, colon, rest = text.partition(":")
        if colon and not rest.startswith("//") and isinstance(self.context.get(prefix), str):
            return self.context[prefix] + rest
        return text

    # --- IRIs ------------------------------------------------------------------------------

    def iri(self, iri: str, vocab: bool = False) -> str:
        """An IRI as short as the context makes it: a term, relative to @vocab, or prefix:suffix."""
        key = (iri, vocab)
        if key not in self._iris:
            self._iris[key] = self._compact_iri(iri, vocab)
        return self._iris[key]

    def _compact_iri(self, iri: str, vocab: bool) -> str:
        if vocab and iri in self.vocab_terms:
            return self.vocab_terms[iri]
        if vocab and self.vocab and iri.startswith(self.vocab) and len(iri) > len(self.vocab):
            suffix = iri[len(self.vocab):]
            if suffix not in self.definitions:
                return suffix
        candidates = [
            f"{term}:{iri[len(namespace):]}" for term, namespace in self.prefixes
            if iri.startswith(namespace) and iri != namespace
        ]
        usable = [c for c in candidates if c not in self.definitions]
        return min(usable, key=lambda c: (len(c), c)) if usable else iri

    # --- terms -----------------------------------------------------------------------------

    def term(self, prop: str, value: dict, reverse: bool = False) -> str:
        """The key pyld gives a value of `prop` of this shape (asked once per shape, then remembered)."""
        shape = self._shape(value)
        key = (prop, reverse, shape)
        if key not in self._terms:
            self._terms[key] = self._ask_pyld(prop, reverse, shape)
        return self._terms[key]

    def _shape(self, value: dict) -> tuple:
        if "@value" in value:
            return ("literal", value.get("@language"), value.get("@type"))
        named = self.iri(value["@id"], vocab=True) in self.definitions
        return ("node", value["@id"] if named else _SAMPLE)

    def _ask_pyld(self, prop: str, reverse: bool, shape: tuple) -> str:
        from pyld import jsonld

        if shape[0] == "literal":
            sample = {"@value": "x"}
            sample.update({k: v for k, v in (("@language", shape[1]), ("@type", shape[2])) if v})
        else:
            sample = {"@id": shape[1]}
        document = {"@id": _SAMPLE + "-subject", **({"@reverse": {prop: [sample]}} if reverse else {prop: [sample]})}
        compacted = jsonld.compact(document, _CONTEXT_URL, self._pyld_options())
        keys = [k for k in compacted if k not in ("@context", self.alias["@id"])]
        if keys == ["@reverse"]:
            raise ValueError(f"the context has no reverse term for {prop}")
        return keys[0]

    def _pyld_options(self) -> dict:
        """pyld's options for this context, made once: the context under a URL only our loader answers,
        and one resolver that keeps it processed. Given the context inline, pyld canonicalises the whole
        context on every call to find it in its cache (2 ms a question: most of compaction's time)."""
        if self._options is None:
            from pyld.context_resolver import ContextResolver

            def loader(url: str, options=None) -> dict:
                if url != _CONTEXT_URL:
                    raise ValueError(f"no document at {url}: the compactor only reads its own context")
                return {"contextUrl": None, "documentUrl": url, "document": {"@context": self.context}}

            self._options = {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)}
        return self._options

    # --- documents ---------------------------------------------------------------------------

    def compact(self, node: dict) -> dict:
        """An expanded node object (with nested nodes and "@reverse") in compacted form."""
        result: dict = {self.alias["@id"]: self.iri(node["@id"])}
        if node.get("@type"):
            types = [self.iri(t, vocab=True) for t in node["@type"]]
            result[self.alias["@type"]] = types[0] if len(types) == 1 else types
        for prop, values in node.items():
            if prop == "@reverse":
                for reverse_prop, nodes in values.items():
                    self._add(result, reverse_prop, nodes, reverse=True)
            elif not prop.startswith("@"):
                self._add(result, prop, values)
        return result

    def keep(self, node: dict) -> dict:
        """Compact a node that many documents embed once; wherever this same dict is embedded, the
        result is reused. Returns the node, to be embedded in expanded trees."""
        self._kept[id(node)] = (node, self.compact(node))  # holding the node keeps its id from being reused
        return node

    def _add(self, result: dict, prop: str, values: list[dict], reverse: bool = False) -> None:
        grouped: dict[str, list] = {}
        for value in values:
            grouped.setdefault(self.term(prop, value, reverse), []).append(value)
        for term, items in grouped.items():
            definition = self.definitions.get(term, {})
            containers = definition.get("@container", [])
            if "@language" in containers:
                languages = result.setdefault(term, {})
                for item in items:
                    languages.setdefault(item.get("@language", "@none"), []).append(item["@value"])
                result[term] = {lang: texts[0] if len(texts) == 1 else texts for lang, texts in languages.items()}
                continue
            rendered = [self._value(item, definition) for item in items]
            result[term] = rendered if len(rendered) > 1 or "@set" in containers else rendered[0]

    def _value(self, value: dict, definition: dict):
        coerce = definition.get("@type")
        if "@value" not in value:
            if len(value) > 1:  # an embedded node
                kept = self._kept.get(id(value))
                return kept[1] if kept else self.compact(value)
            if coerce in ("@id", "@vocab"):
                return self.iri(value["@id"], vocab=coerce == "@vocab")
            return {self.alias["@id"]: self.iri(value["@id"])}
        if "@language" in value:
            return {"@value": value["@value"], self.alias["@language"]: value["@language"]}
        if "@type" in value:
            if coerce == value["@type"]:
                return value["@value"]
            return {"@value": value["@value"], self.alias["@type"]: self.iri(value["@type"], vocab=True)}
        return {"@value": value["@value"]} if coerce else value["@value"]
