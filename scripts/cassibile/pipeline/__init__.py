"""The pipeline, in the order the build runs it: load the Turtle, derive, reason (OWL RL), validate (SHACL and the violation queries)."""
