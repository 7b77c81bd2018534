"""The search index: every entity, source and ontology term by its labels in the four languages.

The search page (MiniSearch, vendored in `static/vendor/`) and the query page (which shows labels
for the IRIs in its results) read it. It is written as a script that defines it, `search-index.js`,
because a page opened from `file://` may load a script beside it but not fetch a JSON file.

>>> index_script([{"i": "https://w3id.org/cassibile/id/x", "k": "people", "l": {"en": "X"}}]).splitlines()[-1]
'window.cassibileIndex = [{"i":"https://w3id.org/cassibile/id/x","k":"people","l":{"en":"X"}}];'
"""

from __future__ import annotations

import orjson
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from cassibile.namespaces import CAS
from cassibile.publish.outputs import GENERATED
from cassibile.publish.site.view import SiteGraph

TERM_CLASSES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)


def documents(site: SiteGraph) -> list[dict]:
    """One document per entity, source and ontology class or property: its IRI ("i"), kind ("k"), a label per
    language ("l"), its other labels ("a": [language, text]) and its description ("d", per language)."""
    found = [_document(entity, site.category(entity), site, site.alternative_labels(entity), site.description(entity))
             for entity in site.entities]
    for source in site.sources:
        title = site.data.value(source, DCTERMS.title)
        found.append({"i": str(source), "k": "sources", "l": {title.language or "en": str(title)} if title else {}})
    terms = {s for cls in TERM_CLASSES for s in site.ontology.subjects(RDF.type, cls)
             if isinstance(s, URIRef) and str(s).startswith(str(CAS))}
    found += [_document(term, "terms", site, [], site.definition(term)) for term in sorted(terms)]
    return found


def _document(term: URIRef, kind: str, site: SiteGraph, alternatives: list[Literal], description: Literal | None) -> dict:
    labels, others = {}, []
    for lang, text, _ in site.labels(term):
        if lang in labels:
            others.append([lang, text])
        else:
            labels[lang] = text
    others += [[alt.language or "", str(alt)] for alt in alternatives]
    document = {"i": str(term), "k": kind, "l": labels}
    if others:
        document["a"] = others
    if description is not None:
        document["d"] = {description.language or "en": str(description)}
    return document


def index_script(docs: list[dict]) -> str:
    """The documents as a script that defines `window.cassibileIndex`."""
    header = "".join(f"// {line}\n" for line in GENERATED.splitlines())
    return header + "window.cassibileIndex = " + orjson.dumps(docs).decode("utf-8") + ";\n"
