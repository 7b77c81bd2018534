"""The query page: every published bundled query, its header as a form, and the rule its script binds parameters by.

`cassibile query` binds parameters with a VALUES block that `query.bind` writes (at the start of the
outermost WHERE group and of every SERVICE group), from RDF terms that `query.parse_parameter` makes
of the user's text. The page's script must bind them the same way, so the block is written here by
`query.bind` itself, around a placeholder IRI per parameter (`<urn:x-cassibile-parameter:NAME>`);
the script only puts each term where its placeholder stands, having made the term by the rules
`parameter_rules` gives it (the prefixes, patterns and datatypes `query.parse_parameter` uses).
tests/test_browser.py checks that the page and `cassibile query` bind the same values to the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from rdflib import URIRef
from rdflib.namespace import XSD

from cassibile.errors import DataError
from cassibile.namespaces import LANGUAGES, PREFIXES
from cassibile.sparql.query import _DATE, _LANGUAGE, _QID, PARAMETER_TYPES, Parameter, bind, bundled_queries

PLACEHOLDER = "urn:x-cassibile-parameter:"
INTEGER = r"-?\d+"  # query._integer's pattern
# The query the page offers to edit first, for a reader's own questions.
OWN_QUERY = """PREFIX cas: <https://w3id.org/cassibile/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Every person, with the English label
SELECT ?person ?label WHERE {
  ?person a cas:Person ; rdfs:label|cas:editorialLabel ?label .
  FILTER(lang(?label) = "en")
}
ORDER BY STR(?label)
"""


@dataclass
class QueryForm:
    """A published query as the page offers it: its header, and its text with each parameter's placeholder."""

    name: str
    summary: str
    description: str
    parameters: list[Parameter]
    text: str
    template: str

    def script(self) -> dict:
        return {"template": self.template,
                "parameters": [{"name": p.name, "type": p.type, "default": p.default} for p in self.parameters]}


def query_forms(query_dir: Path) -> list[QueryForm]:
    """Every published query of the project (not `*-violation.rq`, not `construct-*.rq`), by name."""
    forms = []
    for query in bundled_queries(query_dir).values():
        if not query.is_published:
            continue
        text = query.text
        if PLACEHOLDER in text:
            raise DataError(f"{query.path}: the query may not contain {PLACEHOLDER!r}, which the query page binds parameters by")
        placeholders = {p.name: URIRef(PLACEHOLDER + p.name) for p in query.parameters}
        forms.append(QueryForm(query.name, query.summary, query.description, query.parameters, text, bind(text, placeholders)))
    return forms


def parameter_rules() -> dict:
    """What the page's script needs to make an RDF term of a parameter's text as `query.parse_parameter` does."""
    return {
        "placeholder": PLACEHOLDER,
        "prefixes": {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())},
        "patterns": {"qid": _QID.pattern, "date": _DATE.pattern, "language": _LANGUAGE.pattern, "integer": INTEGER},
        "dates": [str(XSD.gYear), str(XSD.gYearMonth), str(XSD.date)],
        "integer": str(XSD.integer),
        "types": sorted(PARAMETER_TYPES),
        "languages": list(LANGUAGES),  # a regional tag (pt-BR) falls back to one of these (pt)
    }


def input_attributes(parameter: Parameter) -> Markup:
    """The attributes of a parameter's form field: its type, its pattern, its default value."""
    attributes = {"type": "number" if parameter.type == "integer" else "text", "value": parameter.default or ""}
    if parameter.type in ("qid", "date"):
        attributes["pattern"] = parameter_rules()["patterns"][parameter.type]
    if parameter.type == "iri":
        attributes.update(list="iris", spellcheck="false", autocapitalize="off")
    if parameter.type == "date":
        attributes["placeholder"] = "YYYY-MM-DD"
    if parameter.type == "integer":
        attributes["step"] = "1"
    if parameter.default is None:
        attributes["required"] = ""
    return Markup(" ").join(Markup('{}="{}"').format(name, value) for name, value in attributes.items())
