"""The pipeline, in the order the build runs it: load the Turtle, derive, reason (OWL RL), validate (SHACL and the violation queries)."""

REASONERS = ("oxigraph", "reasonable", "owlrl")  # the OWL RL engines (`reason.CLOSURES`), the default first; the command line reads them here
