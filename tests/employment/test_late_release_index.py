"""The bureau's late releases are read from their own partial index (issue 14): the list and its capped count touch
the few late rows, not every association of the district."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import make_association, make_unit, make_user
from wrp.accounts.models import Role
from wrp.core.keyset import capped_count
from wrp.employment.selectors import late_releases_for


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_late_releases_list_and_its_count_can_be_read_from_the_partial_index():
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    approver, unit = make_user(Role.BUREAU_APPROVER), make_unit()
    for late in (True, False):
        make_association(make_user(Role.APPLICANT), unit, state="released", late=late)
    listed = late_releases_for(approver)
    assert capped_count(listed) == (1, False)  # one, not more than the cap
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole otherwise
        for query in (listed[:20], listed.values("pk")[:10001]):
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            assert "association_late_released" in plan, plan


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
