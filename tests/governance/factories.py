import factory

from styr.governance.models import GoalLevel, GoalLevelOwnerType, GoalLevelParent, GovernanceModel
from tests.organisation.factories import MunicipalityFactory


class GovernanceModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceModel

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Teststyrmodell"


class GoalLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalLevel
        skip_postgeneration_save = True

    model = factory.SubFactory(GovernanceModelFactory)
    municipality = factory.SelfAttribute("model.municipality")
    key = factory.Sequence(lambda n: f"niva{n}")
    name = factory.Sequence(lambda n: f"Nivå {n}")
    name_plural = factory.LazyAttribute(lambda o: o.name)

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        for unit_type in extracted or []:
            GoalLevelOwnerType.objects.create(
                municipality=self.municipality, level=self, unit_type=unit_type
            )

    @factory.post_generation
    def parents(self, create, extracted, **kwargs):
        for parent in extracted or []:
            GoalLevelParent.objects.create(
                municipality=self.municipality, level=self, parent=parent
            )
