import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from styr.organisation.models import OrgUnit
from tests.organisation.factories import MunicipalityFactory, OrgUnitFactory, UnitTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """KF → nämnd → förvaltning → two enheter, and a second nämnd."""
    kf = OrgUnitFactory(code="KF")
    m = kf.municipality
    namnd = OrgUnitFactory(code="N1", parent=kf, municipality=m)
    forvaltning = OrgUnitFactory(code="F1", parent=namnd, municipality=m)
    e1 = OrgUnitFactory(code="E1", parent=forvaltning, municipality=m)
    e2 = OrgUnitFactory(code="E2", parent=forvaltning, municipality=m)
    other = OrgUnitFactory(code="N2", parent=kf, municipality=m)
    return kf, namnd, forvaltning, e1, e2, other


def test_path_and_depth_follow_the_parent(tree):
    kf, namnd, forvaltning, e1, _e2, _other = tree
    assert e1.path == "KF/N1/F1/E1/"
    assert (kf.depth, namnd.depth, forvaltning.depth, e1.depth) == (0, 1, 2, 3)


def test_subtree_is_one_query(tree):
    _kf, namnd, *_rest = tree
    with CaptureQueriesContext(connection) as queries:
        codes = set(OrgUnit.objects.in_subtree(namnd).values_list("code", flat=True))
    assert codes == {"N1", "F1", "E1", "E2"}
    assert len(queries) == 1


def test_subtree_does_not_reach_into_another_municipality(tree):
    _kf, namnd, *_rest = tree
    stranger = OrgUnitFactory(code="KF", municipality=MunicipalityFactory())
    OrgUnitFactory(code="N1", parent=stranger, municipality=stranger.municipality)
    assert OrgUnit.objects.in_subtree(namnd).count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_subtree_lookup_uses_the_index_on_postgresql(tree):
    kf, namnd, *_rest = tree
    # A Stockholm-sized organisation, so the planner's choice means something.
    OrgUnit.objects.bulk_create(
        OrgUnit(
            municipality=kf.municipality,
            code=f"X{n}",
            name=f"X{n}",
            type=kf.type,
            parent=kf,
            path=f"KF/X{n // 50}/X{n}/",
            depth=2,
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisation_orgunit")
        sql, params = OrgUnit.objects.in_subtree(namnd).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "orgunit_subtree_idx" in plan, plan
    # The path prefix is a range condition on the index (LIKE is only rechecked per row).
    assert "~>=~ 'KF/N1/'" in plan, plan


def test_moving_a_unit_moves_its_subtree(tree):
    _kf, _namnd, forvaltning, e1, _e2, other = tree
    forvaltning.parent = other
    forvaltning.save()
    e1.refresh_from_db()
    assert e1.path == "KF/N2/F1/E1/"
    assert e1.depth == 3
    assert OrgUnit.objects.in_subtree(other).count() == 4


def test_a_unit_cannot_be_moved_under_its_own_subtree(tree):
    _kf, namnd, _forvaltning, e1, *_ = tree
    namnd.parent = e1
    with pytest.raises(ValidationError) as raised:
        namnd.full_clean()
    assert "parent" in raised.value.message_dict


def test_a_unit_type_may_only_sit_under_its_allowed_parents():
    m = MunicipalityFactory()
    namnd_type = UnitTypeFactory(municipality=m, key="namnd", name="Nämnd")
    enhet_type = UnitTypeFactory(municipality=m, key="enhet", name="Enhet", parents=[namnd_type])
    other_type = UnitTypeFactory(municipality=m, key="bolag", name="Bolag")
    company = OrgUnitFactory(municipality=m, type=other_type)
    unit = OrgUnit(municipality=m, code="X", name="X", type=enhet_type, parent=company)
    with pytest.raises(ValidationError) as raised:
        unit.full_clean()
    assert "Enhet" in str(raised.value) and "Bolag" in str(raised.value)


def test_codes_are_unique_within_a_municipality_only():
    unit = OrgUnitFactory(code="KF")
    OrgUnitFactory(code="KF", municipality=MunicipalityFactory())  # another municipality: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnitFactory(code="KF", municipality=unit.municipality, type=unit.type)


def test_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnitFactory(valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2025, 1, 1))


def test_a_parent_in_another_municipality_is_refused(tree):
    kf, *_ = tree
    stranger = OrgUnitFactory(municipality=MunicipalityFactory())
    stranger.parent = kf
    with pytest.raises(ValidationError) as raised:
        stranger.full_clean()
    assert "parent" in raised.value.message_dict


def test_valid_on_filters_by_date():
    old = OrgUnitFactory(valid_to=datetime.date(2024, 12, 31))
    current = OrgUnitFactory(municipality=old.municipality, valid_from=datetime.date(2025, 1, 1))
    day = datetime.date(2026, 5, 1)
    assert list(OrgUnit.objects.filter(municipality=old.municipality).valid_on(day)) == [current]
