"""`cassibile stats`: counts of what the publication holds."""

from __future__ import annotations

from collections import Counter

from rdflib.namespace import DCTERMS, OWL, RDF

from cassibile.namespaces import CAS, ID, prefixed
from cassibile.pipeline.store import StoreView


def statistics(asserted: StoreView, triples: dict[str, int]) -> dict:
    """What the hand-written graph `asserted` holds, and how many triples each layer of the build holds (`triples`)."""
    entities = sorted({s for s in asserted.subjects(RDF.type, None) if str(s).startswith(str(ID))})
    by_class = Counter(
        prefixed(t) for e in entities for t in asserted.objects(e, RDF.type)
    )
    facts = list(asserted.subjects(RDF.type, CAS.Fact))
    ranks = Counter(str(asserted.value(f, CAS.rank)).rsplit("#", 1)[-1] for f in facts)
    claims = list(asserted.subjects(RDF.type, CAS.Claim))
    per_source = Counter(
        f"{prefixed(asserted.value(c, CAS.source))} "
        f"({asserted.value(asserted.value(c, CAS.source), DCTERMS.language)})"
        for c in claims
    )
    linked = {e for e in entities if (e, OWL.sameAs, None) in asserted}
    return {
        "triples": triples,
        "entities": len(entities),
        "entities_by_class": dict(sorted(by_class.items())),
        "facts": len(facts),
        "facts_by_rank": dict(sorted(ranks.items())),
        "claims": len(claims),
        "claims_by_source": dict(sorted(per_source.items())),
        "wikidata_links": len(linked),
        "unlinked_entities": len(entities) - len(linked),
    }


def render_stats(stats: dict) -> str:
    lines = []
    for key, value in stats.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k:<40} {v:>7}" for k, v in value.items()]
        else:
            lines.append(f"{key:<42} {value:>7}")
    return "\n".join(lines) + "\n"
