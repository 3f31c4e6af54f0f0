"""State kept in ``DATA/history.sqlite3``: captures and versions, the frontier, the runs."""
