"""Writes for the organisation: role grants."""

from django.db import transaction

from styr.core.history import acting_as

from .models import Municipality, OrgUnit, Role, RoleGrant


@transaction.atomic
def role_grants_sync(*, user, wanted: list[dict]) -> None:
    """Make the user's roles from single sign-on exactly `wanted` ({municipality, unit, role});
    grants made by hand are kept. Unknown units or roles in the mapping are skipped, not guessed."""
    units = {
        (m_code, u_code): unit
        for m_code, u_code, unit in (
            (unit.municipality.code, unit.code, unit)
            for unit in OrgUnit.objects.filter(
                code__in={g.get("unit") for g in wanted},
                municipality__in=Municipality.objects.filter(
                    code__in={g.get("municipality") for g in wanted}
                ),
            ).select_related("municipality")
        )
    }
    keep = set()
    with acting_as(user):
        for grant in wanted:
            unit = units.get((grant.get("municipality"), grant.get("unit")))
            if unit is None or grant.get("role") not in Role.values:
                continue
            row, _created = RoleGrant.objects.get_or_create(
                municipality=unit.municipality,
                user=user,
                unit=unit,
                role=grant["role"],
                defaults={"source": RoleGrant.Source.SSO},
            )
            keep.add(row.pk)
        for stale in RoleGrant.objects.filter(user=user, source=RoleGrant.Source.SSO).exclude(
            pk__in=keep
        ):
            stale.delete()
