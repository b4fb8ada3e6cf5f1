"""Prepare the people of the load test on a generated municipality (`styr generate`).

`styr generate` makes the organisation, goals, indicators and a year of follow-up, but no people.
This script makes `--users` people `load-001`, `load-002`, … with one password, each a reporter
(rapportör) at an enhet of its own, spread over the nämnder (enhet 1 of nämnd 1, enhet 1 of
nämnd 2, …), and writes the list the locustfile reads: username, enhet, its nämnd and the period
to report. Run it again and it gives the same people the same enheter (grants are reused).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/styr_load \
        .venv/bin/python loadtest/prepare.py --municipality 9180 --year 2026 --period t2

The password is LOAD_PASSWORD (default "deadline-day-2026"); it is hashed once and the hash is
given to every load person, so preparing 200 people takes a second, not 200 hashings.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402

from styr.followup.models import ReportingPeriod  # noqa: E402
from styr.organisation.models import Municipality, OrgUnit, Role, RoleGrant  # noqa: E402
from styr.planning.models import Goal, Indicator  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "deadline-day-2026")
LOAD_DIR = Path(os.environ.get("LOAD_DIR", "/tmp/styr-load"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipality", default="9180")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--period", default="t2", help="the period's key (t1, t2, vb)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--output", default=str(LOAD_DIR / "users.json"))
    args = parser.parse_args()

    municipality = Municipality.objects.get(code=args.municipality)
    period = ReportingPeriod.objects.get(
        municipality=municipality, year=args.year, definition__key=args.period
    )
    if period.state != ReportingPeriod.State.OPEN:
        sys.exit(f"{period.name} är stängd: öppna perioden innan lasttestet.")
    namnder = list(
        OrgUnit.objects.filter(municipality=municipality, type__key="namnd").order_by("path")
    )
    # The enheter that report in the period: they own goals and indicators.
    enheter = (
        OrgUnit.objects.filter(municipality=municipality, type__key="enhet")
        .filter(Exists(Goal.objects.filter(unit=OuterRef("pk"))))
        .filter(Exists(Indicator.objects.filter(unit=OuterRef("pk"))))
        .order_by("path")
    )
    by_namnd: dict[int, list[OrgUnit]] = {n.pk: [] for n in namnder}
    for unit in enheter:
        namnd = next((n for n in namnder if unit.path.startswith(n.path)), None)
        if namnd:
            by_namnd[namnd.pk].append(unit)
    # Round robin over the nämnder: every nämnd has people reporting at the same time.
    order = []
    for i in range(max(len(units) for units in by_namnd.values())):
        order += [(n, by_namnd[n.pk][i]) for n in namnder if i < len(by_namnd[n.pk])]
    if len(order) < args.users:
        sys.exit(f"Bara {len(order)} enheter rapporterar; välj färre --users.")

    hashed = make_password(PASSWORD)
    people = []
    User = get_user_model()
    with transaction.atomic():
        for number, (namnd, unit) in enumerate(order[: args.users], start=1):
            username = f"load-{number:03d}"
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={"password": hashed, "is_active": True, "first_name": "Last"},
            )
            RoleGrant.objects.filter(municipality=municipality, user=user).exclude(
                unit=unit, role=Role.REPORTER
            ).delete()
            RoleGrant.objects.get_or_create(
                municipality=municipality, user=user, unit=unit, role=Role.REPORTER
            )
            people.append(
                {
                    "number": number,
                    "username": username,
                    "unit": unit.pk,
                    "unit_code": unit.code,
                    "namnd": namnd.pk,
                    "period": period.pk,
                }
            )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {"municipality": municipality.code, "period": period.pk, "people": people}, indent=1
        ),
        encoding="utf-8",
    )
    print(
        f"{len(people)} personer (load-001 … load-{len(people):03d}) rapportörer på var sin enhet "
        f"i {len({p['namnd'] for p in people})} nämnder, period {period.name}: {output}"
    )


if __name__ == "__main__":
    main()
