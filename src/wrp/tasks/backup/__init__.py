"""`wrp backup` and `wrp restore`: the database and the private files in one checked archive (docs/operations.md).

`archive` is the file format (a tar with a manifest of SHA-256 sums), `database` the snapshot and replacement of the
SQLite or PostgreSQL database, `services` the two operations the commands run.
"""
