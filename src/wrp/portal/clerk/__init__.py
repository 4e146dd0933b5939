"""The window clerk's workbench: the queue, the list of cases and the review of one case."""
