"""Paper metadata: fetched from arXiv, Crossref and DataCite in the background."""
