"""Cards on the role home pages for enterprise policies."""
