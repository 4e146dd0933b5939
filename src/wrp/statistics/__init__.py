"""Processing statistics (issue 15 §6): how many cases arrive and are decided, how long each stage takes in working
days, what share meets the legal time limits, the quotas, the refusals and the 好差评 — for the district bureau's
dashboard and, without any personal data, for the public figures page.

The figures are SQL aggregates. What scans every case runs once a day in the worker (`precompute`) and is kept as one
`FigureSnapshot` per day; the pages read the latest snapshot plus two live, index-backed counts (`live`).
Working days are counted in SQL through `WorkingDay`, a table of every date with its working-day ordinal filled from
`wrp.policy.workdays` (`calendar_table`): the working days in (a, b] are ordinal(b) − ordinal(a).
"""
