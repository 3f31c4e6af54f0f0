"""WARC files: the writer, record building, gzip members, pointers, and items read back."""
