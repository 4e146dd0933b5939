"""The notification centre of every signed-in person: the list of notices, marking them read, and the person's contact
details and channel choices."""
