"""`cassibile serve`: the built publication on the web, read-only — the site, the data, a SPARQL endpoint and a reconciliation service."""
