"""Bulk work for unit handlers (issue 15 §1–§3a): a spreadsheet of employees imported as association invitations,
the batch pre-check for quota planning, and prefilled drafts for many employees at once."""
