"""The applicant portal: home, profile, prefilled self-check, association, cases and permit."""
