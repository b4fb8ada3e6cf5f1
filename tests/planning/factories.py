import datetime

import factory

from styr.planning.models import Activity, Goal, Indicator
from tests.governance.factories import GoalLevelFactory
from tests.organisation.factories import OrgUnitFactory


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    unit = factory.SubFactory(OrgUnitFactory)
    municipality = factory.SelfAttribute("unit.municipality")
    level = factory.LazyAttribute(
        lambda o: GoalLevelFactory(model__municipality=o.unit.municipality, owners=[o.unit.type])
    )
    code = factory.Sequence(lambda n: f"M{n}")
    title = factory.Sequence(lambda n: f"Mål {n}")
    valid_from = datetime.date(2026, 1, 1)
    valid_to = datetime.date(2026, 12, 31)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    unit = factory.SubFactory(OrgUnitFactory)
    municipality = factory.SelfAttribute("unit.municipality")
    code = factory.Sequence(lambda n: f"I{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    unit = factory.SubFactory(OrgUnitFactory)
    municipality = factory.SelfAttribute("unit.municipality")
    code = factory.Sequence(lambda n: f"A{n}")
    title = factory.Sequence(lambda n: f"Aktivitet {n}")
    responsible = "Enhetschef"
    start = datetime.date(2026, 1, 1)
    end = datetime.date(2026, 6, 30)
