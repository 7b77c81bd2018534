"""SPARQL from the command line: the bundled queries, remote endpoints, and loading the build into a store (`cassibile publish`)."""
