"""JSON-LD compaction of many expanded documents with one fixed context, at the speed of a dict lookup.

pyld compacts about 3,000 values a second: 30 ms for one entity document, more than a minute for
the documents of a 100k-triple graph. But every value of one property and one shape (a string in
a language, a literal of a datatype, a node) gets the same term and the same form. So `Compactor`
chooses the term once per (property, shape), by the JSON-LD 1.1 term selection algorithm (the
inverse context, then the preferred containers and type or language values); it renders the value
by that term's definition and compacts IRIs with the context's prefixes as the JSON-LD 1.1
algorithms do. It knows the features of a term definition the published context uses and refuses
any other. tests/test_exports.py checks its choices and documents against pyld's own compaction
(asking pyld at build time cost 0.3 s to import it and 0.5 ms a question).

>>> compactor = Compactor({"@vocab": "http://ex.org/", "id": "@id", "ex": "http://ex.org/",
...                        "name": {"@id": "ex:name", "@container": "@language"}})
>>> compactor.compact({"@id": "http://ex.org/a", "http://ex.org/name": [{"@value": "A", "@language": "en"}]})
{'id': 'ex:a', 'name': {'en': 'A'}}
"""

from __future__ import annotations

from collections.abc import Callable

_KEYWORDS = ("@id", "@type", "@value", "@language")
_GEN_DELIMS = tuple(":/?#[]@")
# What a context may say that `Compactor` implements; it refuses anything else rather than compact it otherwise than pyld.
_CONTEXT_KEYWORDS = {"@version", "@vocab"}
_DEFINITION_KEYS = {"@id", "@reverse", "@type", "@container"}
_CONTAINERS = {"@language", "@set"}
# The containers IRI compaction prefers for a value, best first (JSON-LD 1.1 API, IRI compaction, steps 4.1-4.19):
_NODE_CONTAINERS = ("@id", "@id@set", "@type", "@set@type", "@set", "@none", "@index", "@index@set")
_LANGUAGE_CONTAINERS = ("@language", "@language@set", "@set", "@none", "@index", "@index@set")
_TYPED_CONTAINERS = ("@set", "@none", "@index", "@index@set")
_PLAIN_CONTAINERS = ("@set", "@none", "@index", "@index@set", "@language", "@language@set")


class Compactor:
    def __init__(self, context: dict):
        _check_supported(context)
        self.context = context
        self.alias = {keyword: next((t for t, v in context.items() if v == keyword), keyword) for keyword in _KEYWORDS}
        self.vocab = context.get("@vocab")
        self.definitions = {term: self._definition(value) for term, value in context.items() if not term.startswith("@")}
        self.prefixes = sorted(
            (term, d["@id"]) for term, d in self.definitions.items()
            if d.get("simple") and ":" not in term and d["@id"].endswith(_GEN_DELIMS)
        )
        self.inverse = self._inverse_context()
        self._iris: dict[tuple[str, bool], str] = {}
        self._terms: dict[tuple, str] = {}
        self._kept: dict[int, tuple[dict, dict]] = {}

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

    def _inverse_context(self) -> dict:
        """IRI -> container -> "@language" or "@type" -> value -> term: JSON-LD 1.1's inverse context, where the
        shortest term (then the first alphabetically) of each IRI, container and type or language value wins."""
        inverse: dict = {}
        for term, d in sorted(self.definitions.items(), key=lambda item: (len(item[0]), item[0])):
            container = "".join(sorted(d.get("@container", ["@none"])))
            entry = inverse.setdefault(d["@id"], {}).setdefault(container, {"@language": {}, "@type": {}})
            if d.get("reverse"):
                entry["@type"].setdefault("@reverse", term)
            elif "@type" in d:
                entry["@type"].setdefault(d["@type"], term)
            else:  # no type and no language: the context has no default language, so both say "@none"
                entry["@language"].setdefault("@none", term)
                entry["@type"].setdefault("@none", term)
        return inverse

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
            term = self._select(iri, None) if vocab else None
            self._iris[key] = term if term is not None else self._without_term(iri, vocab)
        return self._iris[key]

    def _without_term(self, iri: str, vocab: bool) -> str:
        """The IRI relative to @vocab, or the shortest prefix:suffix, where no term stands for it."""
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
        """The key of a value of `prop` (chosen once per shape of value, then remembered)."""
        key = (prop, reverse, self._shape(value))
        if key not in self._terms:
            self._terms[key] = self._property(prop, value, reverse)
        return self._terms[key]

    def _shape(self, value: dict) -> tuple:
        """What term selection reads of a value: its language or datatype, or whether a term names the node."""
        if "@value" in value:
            return ("literal", value.get("@language"), value.get("@type"))
        return ("node", self._names_a_term(value["@id"]))

    def _names_a_term(self, iri: str) -> bool:
        term = self.iri(iri, vocab=True)
        return term in self.definitions and self.definitions[term]["@id"] == iri

    def _property(self, prop: str, value: dict, reverse: bool) -> str:
        term = self._select(prop, value, reverse)
        if reverse and (term is None or not self.definitions[term].get("reverse")):
            raise ValueError(f"the context has no reverse term for {prop}")
        return term if term is not None else self._without_term(prop, vocab=True)

    def _select(self, iri: str, value: dict | None, reverse: bool = False) -> str | None:
        """The term JSON-LD 1.1's term selection gives `iri` as the property of `value` (None: an IRI where a
        vocabulary term may stand, such as a type), or None if no term fits."""
        by_container = self.inverse.get(iri)
        if by_container is None:
            return None
        containers, kind, preferred = self._preferences(value, reverse)
        for container in containers:
            if container in by_container:
                choices = by_container[container][kind]
                found = next((choices[p] for p in preferred if p in choices), None)
                if found is not None:
                    return found
        return None

    def _preferences(self, value: dict | None, reverse: bool) -> tuple[tuple, str, list]:
        """The containers, whether the type or the language decides, and the type or language values that IRI
        compaction prefers for `value`, each best first."""
        if value is None:
            return ("@set", "@none"), "@type", ["@id", "@none"]
        if "@value" in value:
            if "@language" in value:
                return _LANGUAGE_CONTAINERS, "@language", [value["@language"], "@none"]
            if "@type" in value:
                return _TYPED_CONTAINERS, "@type", [value["@type"], "@none"]
            return _PLAIN_CONTAINERS, "@language", ["@null", "@none"]
        by_term = ["@vocab", "@id"] if self._names_a_term(value["@id"]) else ["@id", "@vocab"]
        return _NODE_CONTAINERS, "@type", (["@reverse"] if reverse else []) + by_term + ["@none"]

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

    def keep(self, node: dict, finish: Callable[[dict], dict] | None = None) -> dict:
        """Compact a node that many documents embed once (and `finish` its compacted form once, if given);
        wherever this same dict is embedded, the result is reused. Returns the node, to be embedded in
        expanded trees."""
        form = self.compact(node)
        self._kept[id(node)] = (node, finish(form) if finish else form)  # holding the node keeps its id from being reused
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


def _check_supported(context: dict) -> None:
    """Refuse a context that uses a feature `Compactor` does not implement (a default language, a language or
    direction on a term, an index or id map, …): its choices would differ from a JSON-LD processor's."""
    unsupported = [key for key in context if key.startswith("@") and key not in _CONTEXT_KEYWORDS]
    for term, definition in context.items():
        if isinstance(definition, dict):
            containers = definition.get("@container", [])
            unsupported += [f"{term}: {key}" for key in definition if key not in _DEFINITION_KEYS]
            unsupported += [f"{term}: @container {c}" for c in ([containers] if isinstance(containers, str) else containers)
                            if c not in _CONTAINERS]
            if "@id" not in definition and "@reverse" not in definition:
                unsupported.append(f"{term}: no @id")
            if (kind := definition.get("@type", "@id")) not in ("@id", "@vocab") and kind.startswith("@"):
                unsupported.append(f"{term}: @type {kind}")  # @none, @json
    if unsupported:
        raise ValueError(f"the JSON-LD context uses what cassibile's compaction does not implement: {', '.join(unsupported)}")
