"""Full-text search over the archive: the tantivy index, its schema, queries and hits."""
