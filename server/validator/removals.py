"""The statements a contribution removes from the live graph (a change: a member removed, a value cleared).

A contribution is Turtle to add and, for a change, statements to remove: each one a statement of the live
data about a resource under ``<base>id/``. The validator judges the graph the change would make (live −
removals + additions); a removal the live graph does not hold changes nothing and is ignored; a removal
about anything else (the vocabulary, the shapes, provenance) is refused, like the same statement added.
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef

from server.validator.report import Problem

_TEXTS = {
    "fr": "Une modification ne peut retirer que des énoncés sur les ressources des données ({space}) : "
    "{statement} ne peut pas être retiré.",
    "en": "A change may only remove statements about resources of the data ({space}): {statement} cannot "
    "be removed.",
}
_HINT = {
    "fr": "Retirez cet énoncé de la liste des retraits.",
    "en": "Take this statement out of the removals.",
}


def parse_removals(text: str | bytes | None, base_iri: str) -> list[tuple]:
    """The statements of a removals text (N-Triples, or Turtle), in a stable order; [] for none.

    Raises ValueError when the text does not parse, or names a blank node (which no one can point at)."""
    if not text or not (text.strip() if isinstance(text, str) else text.strip()):
        return []
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=base_iri)
    except Exception as error:  # noqa: BLE001 - rdflib raises many kinds of syntax errors
        raise ValueError(f"the removals do not parse: {error}"[:300]) from None
    if any(isinstance(node, BNode) for triple in graph for node in triple):
        raise ValueError("a removal cannot name a blank node")
    return sorted(graph, key=lambda t: tuple(str(n) for n in t))


def n_triples(triples) -> str:
    """The statements in N-Triples, one a line, sorted (what the inbox keeps)."""
    return "".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples))


def explicit_removals(judge, graph: Graph, removals) -> list[tuple]:
    """The removals that change something: held by the live graph, not added back by the file, in scope."""
    space = f"{judge.base_iri}id/"
    return [
        t
        for t in removals
        if t in judge.live_graph
        and t not in graph
        and isinstance(t[0], URIRef)
        and str(t[0]).startswith(space)
    ]


def removal_problems(judge, removals, lang: str) -> list[Problem]:
    """A violation for each removal about something other than a resource of the data."""
    space = f"{judge.base_iri}id/"
    lang = lang if lang in _TEXTS else "en"
    problems = []
    for subject, predicate, obj in removals:
        if isinstance(subject, URIRef) and str(subject).startswith(space):
            continue
        statement = f"{subject.n3()} {predicate.n3()} {obj.n3()}"[:300]
        problems.append(
            Problem(
                "Violation",
                "scope",
                _TEXTS[lang].format(space=space, statement=statement),
                focus=subject.n3(),
                path=predicate.n3(),
                value=obj.n3(),
                hint=_HINT[lang],
            )
        )
    return problems
