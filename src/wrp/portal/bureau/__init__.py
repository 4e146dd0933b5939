"""The bureau portal: approvals, quota grants and the oversight of employment (late releases, penalties, audits)."""
