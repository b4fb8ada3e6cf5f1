import factory

from styr.organisation.models import Municipality, OrgUnit, UnitType, UnitTypeParent


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")


class UnitTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitType
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    key = factory.Sequence(lambda n: f"typ{n}")
    name = factory.Sequence(lambda n: f"Typ {n}")

    @factory.post_generation
    def parents(self, create, extracted, **kwargs):
        for parent in extracted or []:
            UnitTypeParent.objects.create(municipality=self.municipality, child=self, parent=parent)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    municipality = factory.LazyAttribute(
        lambda o: o.parent.municipality if o.parent else MunicipalityFactory()
    )
    code = factory.Sequence(lambda n: f"E{n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    type = factory.LazyAttribute(lambda o: UnitTypeFactory(municipality=o.municipality))
    parent = None
