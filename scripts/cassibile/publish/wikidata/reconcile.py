"""`cassibile wikidata reconcile`: candidate QIDs for the entities not yet linked, for a person to confirm.

Candidates are the items whose label or alias is exactly one of the entity's labels (in any of
its languages). Each gets a score in [0, 1]:

    0.6 × labels + 0.2 × class + 0.2 × dates

- labels: over the entity's languages, 1 where the item has that label, 0.75 where only an alias;
- class: 1 if one of the item's `wdt:P31` is the `skos:closeMatch` of the entity's class or of a
  superclass, 0 if the item has classes and none matches, 0.5 when either side says nothing;
- dates: over the date properties both sides hold, 1 where a value agrees (one date within the
  other), 0 where none does; 0.5 when there is nothing to compare.

Reconciling never writes a link. `accept` applies the links a person confirmed, as a change to
review: `owl:sameAs` triples in graph/entities/reconciled-links.ttl (canonical Turtle) and, for
each QID, a `verified` row in graph/wikidata/entities.tsv; it prints every change it makes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.errors import DataError, Location, UsageError
from cassibile.namespaces import CAS, WD
from cassibile.pipeline.load import new_graph, parse_turtle
from cassibile.publish.export import canonical_turtle, entities
from cassibile.publish.wikidata.compare import agrees, shown
from cassibile.publish.wikidata.statements import Alignment, Item, Layer, Statement, Time, item_labels
from cassibile.publish.wikidata.wdqs import Client

INSTANCE_OF = "P31"
LABEL, ALIAS = 1.0, 0.75
WEIGHTS = {"labels": 0.6, "class": 0.2, "dates": 0.2}
LINKS_FILE = Path("entities") / "reconciled-links.ttl"
KINDS = {CAS.Agent: "agent", CAS.Event: "event", CAS.Place: "place", CAS.Position: "position", CAS.Document: "event-or-document"}
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass
class Candidate:
    qid: str
    score: float
    label: str
    description: str
    matched: list[str] = field(default_factory=list)  # "en label", "it alias"
    classes: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # "P585 <ours> vs <Wikidata's>: agrees"


@dataclass
class Proposal:
    entity: str
    label: str
    candidates: list[Candidate]


def class_qids(ontology: Layer, data: Layer, entity: URIRef, alignment: Alignment) -> set[str]:
    """The closeMatch QIDs of the entity's classes and all their superclasses."""
    classes = {a for c in data.objects(entity, RDF.type) for a in ontology.transitive_objects(c, RDFS.subClassOf)}
    return {alignment.class_qids[c] for c in classes if c in alignment.class_qids}


def reconcile(data: Layer, ontology: Layer, alignment: Alignment, found: list[Statement], client: Client,
              limit: int = 5) -> list[Proposal]:
    """Up to `limit` scored candidates for each entity without a QID, best first."""
    unlinked = [e for e in entities(data) if e not in alignment.qids]
    labels = {e: item_labels(data, e) for e in unlinked}
    wanted = [Literal(text, lang=lang) for by_language in labels.values() for lang, texts in by_language.items() for text in texts]
    matches: dict[Literal, list[tuple[str, str]]] = defaultdict(list)
    for label, qid, kind in client.by_label(wanted):
        matches[label].append((qid, kind))
    dates = {e: [s for s in found if s.truthy and s.subject.iri == e and isinstance(s.value, Time)] for e in unlinked}
    candidates = sorted({qid for hits in matches.values() for qid, _ in hits})
    pids = sorted({INSTANCE_OF} | {s.pid for ds in dates.values() for s in ds})
    theirs = client.statements(candidates, pids) if candidates else {}
    names = client.labels(candidates) if candidates else {}
    descriptions = client.descriptions(candidates) if candidates else {}
    proposals = []
    for entity in unlinked:
        ours = Ours(len(labels[entity]), class_qids(ontology, data, entity, alignment), dates[entity])
        scored = [_candidate(qid, matched, ours, theirs, names, descriptions) for qid, matched in _hits(labels[entity], matches).items()]
        scored.sort(key=lambda c: (-c.score, c.qid))
        proposals.append(Proposal(str(entity), labels[entity].get("en", [""])[0], scored[:limit]))
    return proposals


@dataclass
class Ours:
    """What the entity brings to the comparison."""

    languages: int
    classes: set[str]
    dates: list[Statement]


def _hits(labels: dict[str, list[str]], matches) -> dict[str, dict[str, str]]:
    """QID -> language -> "label" or "alias" (the better of the two)."""
    hits: dict[str, dict[str, str]] = defaultdict(dict)
    for language, texts in labels.items():
        for text in texts:
            for qid, kind in matches.get(Literal(text, lang=language), []):
                if hits[qid].get(language) != "label":
                    hits[qid][language] = kind
    return hits


def _candidate(qid: str, matched: dict[str, str], ours: Ours, theirs, names, descriptions) -> Candidate:
    label_score = sum(LABEL if kind == "label" else ALIAS for kind in matched.values()) / max(1, ours.languages)
    classes = sorted(v.qid for v in theirs.get((qid, INSTANCE_OF), []) if isinstance(v, Item) and v.qid)
    class_score = float(bool(ours.classes & set(classes))) if classes and ours.classes else 0.5
    notes, agreements = [], []
    for statement in ours.dates:
        values = theirs.get((qid, statement.pid), [])
        if values:
            agreements.append(any(agrees(statement.value, v) for v in values))
            theirs_shown = ", ".join(sorted(shown(v) for v in values))
            notes.append(f"{statement.pid} {shown(statement.value)} vs {theirs_shown}: {'agrees' if agreements[-1] else 'differs'}")
    date_score = sum(agreements) / len(agreements) if agreements else 0.5
    score = WEIGHTS["labels"] * label_score + WEIGHTS["class"] * class_score + WEIGHTS["dates"] * date_score
    return Candidate(
        qid, round(score, 3), names.get(qid, {}).get("en", [""])[0], descriptions.get(qid, ""),
        [f"{lang} {kind}" for lang, kind in sorted(matched.items())], classes, sorted(notes),
    )


# --- output ------------------------------------------------------------------------------------

TSV_COLUMNS = ("entity", "qid", "score", "label", "description", "matched", "classes", "dates")


def render(proposals: list[Proposal], fmt: str) -> str:
    """table (readable), json, or tsv (one row per candidate: delete the wrong rows, then --accept it)."""
    if fmt == "json":
        return json.dumps([asdict(p) for p in proposals], indent=2, ensure_ascii=False) + "\n"
    if fmt == "tsv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(TSV_COLUMNS)
        for proposal in proposals:
            for c in proposal.candidates:
                writer.writerow([proposal.entity, c.qid, c.score, c.label, c.description,
                                 "; ".join(c.matched), " ".join(c.classes), "; ".join(c.dates)])
        return out.getvalue()
    lines = []
    for proposal in proposals:
        lines.append(f"{proposal.entity}  ({proposal.label or 'no English label'})")
        lines += [f"  {c.qid:<12} {c.score:.3f}  {c.label}  [{'; '.join(c.matched)}]" + (f"  — {c.description}" if c.description else "")
                  + (f"  classes {' '.join(c.classes)}" if c.classes else "") + (f"  dates {'; '.join(c.dates)}" if c.dates else "")
                  for c in proposal.candidates] or ["  no candidate"]
    return "\n".join(lines) + "\n"


# --- accepting confirmed links --------------------------------------------------------------------

def read_confirmed(path: Path) -> list[tuple[URIRef, str, int]]:
    """(entity, QID, line) for each row of a TSV with `entity` and `qid` columns (reconcile's tsv output)."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    with open(path, encoding="utf-8", newline="") as table:
        reader = csv.DictReader(table, delimiter="\t")
        if not {"entity", "qid"} <= set(reader.fieldnames or ()):
            raise DataError("needs a header with the columns entity and qid", Location(path, 1))
        rows = []
        for row in reader:
            qid = (row["qid"] or "").strip()
            if not _QID.match(qid):
                raise DataError(f"{qid!r} is not a QID", Location(path, reader.line_num), (row["entity"] or "").strip())
            rows.append((URIRef((row["entity"] or "").strip()), qid, reader.line_num))
        return rows


def accept(graph_dir: Path, data: Layer, ontology: Layer, alignment: Alignment, path: Path) -> list[str]:
    """Apply the confirmed links in `path`; returns one line per change made. Refuses, changing
    nothing, an unknown or already linked entity, or an entity or QID confirmed twice."""
    confirmed = read_confirmed(path)
    known = set(entities(data))
    seen_entities, seen_qids = {}, {}
    for entity, qid, line in confirmed:
        where = Location(path, line)
        if entity not in known:
            raise DataError("no such entity in the graph", where, str(entity))
        if entity in alignment.qids:
            raise DataError(f"already linked to {alignment.qids[entity]}", where, str(entity))
        if seen_entities.setdefault(entity, qid) != qid or seen_qids.setdefault(qid, entity) != entity:
            raise DataError(f"confirmed twice ({qid}): keep one row per entity and per QID", where, str(entity))
        if qid in alignment.qids.values():
            raise DataError(f"{qid} already names another entity", where, str(entity))
    changes = _write_links(graph_dir / LINKS_FILE, [(e, q) for e, q, _ in confirmed])
    kinds = {e: _kind(ontology, data, e) for e, _, _ in confirmed}
    changes += _verify_qids(graph_dir / "wikidata" / "entities.tsv", data, kinds, [(e, q) for e, q, _ in confirmed], path.name)
    return changes


def _write_links(links_file: Path, links: list[tuple[URIRef, str]]) -> list[str]:
    graph = parse_turtle(links_file) if links_file.is_file() else new_graph()
    for entity, qid in links:
        graph.add((entity, OWL.sameAs, WD[qid]))
    links_file.parent.mkdir(parents=True, exist_ok=True)
    links_file.write_bytes(canonical_turtle(graph))
    return [f"{links_file}: {entity} owl:sameAs wd:{qid}" for entity, qid in links]


def _verify_qids(table: Path, data: Layer, kinds: dict, links: list[tuple[URIRef, str]], reviewed: str) -> list[str]:
    """Mark each QID verified in entities.tsv, editing only its own row (or adding one)."""
    lines = table.read_text(encoding="utf-8").splitlines()
    changes = []
    for entity, qid in links:
        evidence = f"confirmed by a person reviewing cassibile wikidata reconcile candidates ({reviewed})"
        index = next((i for i, line in enumerate(lines) if line.split("\t", 1)[0] == qid), None)
        if index is None:
            label = item_labels(data, entity).get("en", [""])[0]
            lines.append(_tsv_row([qid, label, kinds[entity], "verified", evidence, ""]))
            changes.append(f"{table}: added {qid} ({label}), verified")
            continue
        row = next(csv.reader([lines[index]], delimiter="\t"))
        if row[3] != "verified":
            row[3], row[4] = "verified", f"{row[4]} ; {evidence}".strip(" ;")
            lines[index] = _tsv_row(row)
            changes.append(f"{table}: {qid} is now verified")
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changes


def _tsv_row(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="").writerow(cells)
    return out.getvalue()


def _kind(ontology: Layer, data: Layer, entity: URIRef) -> str:
    """The entities.tsv kind of an entity (agent, event, place, …), from its classes and their superclasses."""
    classes = {a for c in data.objects(entity, RDF.type) for a in ontology.transitive_objects(c, RDFS.subClassOf)}
    return next((kind for cls, kind in KINDS.items() if cls in classes), "entity")
