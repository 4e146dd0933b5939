"""`wrp.core.prepared.Prepared`: a queryset's SQL compiled once, each call binding its own values — the same model
instances as the queryset itself gives (fields, converted values, joined rows, annotations, order), one query each
call and no compiling after the first; and a shape it cannot bind is refused, never answered wrongly. Here, with the
cases it was made for (the case page's lookup, events and materials)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import case_in_state
from tests.portal.list_queries import listed_cases
from wrp.cases.models import Case, CaseEvent, CaseMaterial
from wrp.cases.selectors import CaseLookup, case_for
from wrp.core.errors import NotFound
from wrp.core.prepared import Prefix, Prepared, PreparedEach

pytestmark = pytest.mark.django_db

EVENTS = Prepared(lambda case: CaseEvent.objects.filter(case_id=case).select_related("actor")
                  .only("id", "case_id", "at", "action", "detail", "actor__username"), case=int)
WITH_FLAG = Prepared(lambda unit, public_id: Case.objects.filter(unit_id=unit, public_id=public_id)
                     .select_related("unit", "applicant")
                     .annotate(has_materials=Exists(CaseMaterial.objects.filter(case=OuterRef("pk")))), unit=int,
                     public_id=str)


def fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
            if field.attname in instance.__dict__}


def test_it_gives_what_the_queryset_gives_with_the_joined_rows_and_annotations(people):
    case = case_in_state(people, "in_review")
    expected = list(CaseEvent.objects.filter(case_id=case.pk).select_related("actor")
                    .only("id", "case_id", "at", "action", "detail", "actor__username"))
    got = EVENTS.rows(case=case.pk)
    assert [fields(event) for event in got] == [fields(event) for event in expected]  # the order too
    assert len(got) >= 3
    with CaptureQueriesContext(connection) as queries:
        names = [event.actor.username for event in got if event.actor_id]  # joined: no query
    assert names
    assert not queries
    (found,) = WITH_FLAG.rows(unit=case.unit_id, public_id=case.public_id)
    assert fields(found) == fields(Case.objects.get(pk=case.pk))  # JSON, dates, encrypted fields converted alike
    assert found.has_materials is True
    assert (found.unit.name, found.applicant.username) == (people.unit.name, people.applicant.username)
    assert WITH_FLAG.rows(unit=people.other_unit.pk, public_id=case.public_id) == []
    assert WITH_FLAG.first(unit=case.unit_id, public_id="C0000000000000") is None


def test_it_compiles_once_and_asks_one_query_a_call(people):
    case = case_in_state(people, "submitted")
    events = Prepared(lambda case: CaseEvent.objects.filter(case_id=case), case=int)
    compile_calls = mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)
    with compile_calls as compiled:
        events.rows(case=case.pk)
        first = compiled.call_count
        with CaptureQueriesContext(connection) as queries:
            events.rows(case=case.pk)
            events.rows(case=case.pk + 1)
    assert first >= 1
    assert compiled.call_count == first  # nothing compiled again
    assert len(queries) == 2


def test_a_shape_it_cannot_bind_is_refused():
    with pytest.raises(TypeError, match="an int, a str, a Prefix, a date or a datetime"):
        Prepared(lambda day: CaseEvent.objects.filter(at__date=day), day=object)
    transformed = Prepared(lambda name: CaseEvent.objects.filter(action__icontains=name), name=str)
    with pytest.raises(ValueError, match="did not reach the SQL unchanged"):
        transformed.rows(name="submit")
    with pytest.raises(TypeError, match="model rows or values"):
        Prepared(lambda case: CaseEvent.objects.filter(case_id=case).values_list("id"), case=int).rows(case=1)
    with pytest.raises(TypeError, match="is a int"):
        EVENTS.rows(case="1")
    with pytest.raises(TypeError, match="takes"):
        EVENTS.rows(case=1, extra=2)
    with pytest.raises(TypeError, match="are not arguments"):
        Prepared(lambda case: CaseEvent.objects.filter(case_id=case), unused=("user",), case=int)


def test_days_moments_and_values_rows_come_as_the_queryset_gives_them(people, today):
    case = case_in_state(people, "in_review")
    moment = CaseEvent.objects.filter(case=case).order_by("at").values_list("at", flat=True)[1]

    def since(case, day, moment):
        return (CaseEvent.objects.filter(case_id=case, case__accepted_on__lte=day, at__gte=moment).order_by("id")
                .values("id", "action", "at", "case__unit__name", "case__frozen_facts"))

    prepared = Prepared(since, case=int, day=date, moment=datetime)
    for day, after in ((today, moment), (today - timedelta(days=400), moment), (today, moment + timedelta(days=1))):
        assert prepared.rows(case=case.pk, day=day, moment=after) == list(since(case.pk, day, after))
    assert prepared.rows(case=case.pk, day=today, moment=moment)  # some rows, each with converted JSON and moments
    with pytest.raises(TypeError, match="is a date"):
        prepared.rows(case=case.pk, day=moment, moment=moment)  # a moment is not a day


def test_an_argument_it_may_leave_out_is_bound_where_the_statement_has_it(people):
    case = case_in_state(people, "submitted")
    everyone = Prepared(lambda user, case: CaseEvent.objects.filter(case_id=case), unused=("user",), user=int, case=int)
    own = Prepared(lambda user, case: CaseEvent.objects.filter(case_id=case, actor_id=user), unused=("user",),
                   user=int, case=int)
    assert len(everyone.rows(user=people.clerk.pk, case=case.pk)) == CaseEvent.objects.filter(case=case).count()
    assert own.rows(user=people.clerk.pk, case=case.pk) == []  # the clerk did nothing on this case yet
    actor = CaseEvent.objects.filter(case=case).exclude(actor=None).values_list("actor_id", flat=True).first()
    assert [event.actor_id for event in own.rows(user=actor, case=case.pk)] == list(
        CaseEvent.objects.filter(case=case, actor_id=actor).values_list("actor_id", flat=True))


def test_a_queryset_that_can_have_no_rows_gives_none_without_a_query(people):
    nothing = Prepared(lambda case: CaseEvent.objects.filter(case_id=case).none(), case=int)
    with CaptureQueriesContext(connection) as queries:
        assert nothing.rows(case=1) == []
        assert nothing.first(case=2) is None
    assert not queries


def test_the_case_lookup_of_each_role_finds_only_what_that_role_may_see(people):
    case = case_in_state(people, "submitted")
    lookup = CaseLookup(annotate={"has_materials": Exists(CaseMaterial.objects.filter(case=OuterRef("pk")))},
                        related=("unit",))
    for user in (people.applicant, people.handler, people.clerk, people.approver):
        found = case_for(user, case.public_id, lookup=lookup)
        assert (found.pk, found.has_materials, found.unit.name) == (case.pk, True, people.unit.name)
    for user in (people.other_applicant, people.other_handler, people.admin):
        with pytest.raises(NotFound):
            case_for(user, case.public_id, lookup=lookup)
    assert sorted(lookup._by_role) == sorted({user.role for user in (people.applicant, people.handler, people.clerk,
                                                                      people.approver, people.admin)})


def test_a_list_of_ids_is_bound_by_its_length_each_length_compiled_once(people, monkeypatch):
    ids = [case.pk for case in listed_cases(3)]

    def of(ids, kind):
        return Case.objects.filter(pk__in=ids, kind=kind).order_by("pk").values("pk", "public_id", "state")

    each = PreparedEach(of, kind=str)
    monkeypatch.setattr(PreparedEach, "LONGEST", 2)
    for chosen in ([], ids[:1], ids[1:], [ids[2], ids[0]], ids, [*ids, ids[0]]):
        assert each.rows(chosen, kind="initial") == list(of(chosen, "initial")), chosen
    assert each.rows(ids[:1], kind="renewal") == []
    assert sorted(each._by_length) == [0, 1, 2]  # the longer lists read through Django


def test_a_small_integer_column_and_a_constant_equal_to_a_stand_in_are_bound_right(people, today):
    from wrp.quotas.models import QuotaLedger

    assert QuotaLedger.objects.filter(unit=people.unit, year=today.year).exists()  # the shared personas' unit has one
    def ledgers(unit, year):
        return QuotaLedger.objects.filter(unit_id=unit, year=year)  # year: a PositiveSmallIntegerField

    prepared = Prepared(ledgers, unit=int, year=int)
    assert [ledger.pk for ledger in prepared.rows(unit=people.unit.pk, year=today.year)] == [
        ledger.pk for ledger in ledgers(people.unit.pk, today.year)] != []
    assert prepared.rows(unit=people.unit.pk, year=today.year - 1) == []
    case = case_in_state(people, "submitted")
    constant = Prepared(lambda case: CaseEvent.objects.filter(case_id=case).exclude(actor_id=23_000).order_by("id"),
                        case=int)  # 23,000: the first stand-in of one of the two compilations
    assert [event.pk for event in constant.rows(case=case.pk)] == list(
        CaseEvent.objects.filter(case_id=case.pk).order_by("id").values_list("pk", flat=True))


def test_a_prefix_is_matched_as_startswith_matches_it_with_its_wildcards_taken_literally(people):
    from wrp.documents.models import UploadCheck

    base = {"purpose": "case_material", "quarantine_name": "q", "size": 1, "sha256": "0" * 64, "original_name": "a.pdf",
            "uploaded_by": people.handler, "state": "checking", "created_at": timezone.now()}
    for reference in ("12/diploma", "12/id_card", "123/diploma", "1%/x", "1_/y", "12\\/z"):
        UploadCheck.objects.create(reference=reference, **base)

    def of(prefix):
        return UploadCheck.objects.filter(purpose="case_material", reference__startswith=prefix).order_by("pk")

    prepared = Prepared(of, prefix=Prefix)
    for prefix in ("12/", "123/", "1", "1%", "1_", "12\\", "", "9/"):
        assert [check.reference for check in prepared.rows(prefix=Prefix(prefix))] == [
            check.reference for check in of(prefix)], prefix
    assert len(prepared.rows(prefix=Prefix("12/"))) == 2  # not 123/…
    assert [check.reference for check in prepared.rows(prefix=Prefix("1%"))] == ["1%/x"]  # % is no wildcard
    with pytest.raises(TypeError, match="is a Prefix"):
        prepared.rows(prefix="12/")
