from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.accounts.demo import demo_people_create
from styr.economy.demo import demo_economy
from styr.followup.demo import demo_followup
from styr.governance.services import PRESETS, governance_model_load_file
from styr.internal_control.demo import demo_internal_control
from styr.kolada.demo import demo_kolada
from styr.organisation.services import municipality_settings_update
from styr.workflow.demo import demo_plans_adopt

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "styr-demo"
DEMO_YEAR = 2026  # the presets' plan_year
# Each demo municipality wears a colour of its own, so one can see whose pages one is on.
DEMO_COLOURS = {
    "stockholm": "#0A3E7A",
    "huddinge": "#00665E",
    "svenljunga": "#8A1538",
    "lomma": "#1D5F8C",
}


class Command(BaseCommand):
    help = _("Set up the demo: migrate, load the four presets and create a demo administrator.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_model", *PRESETS, stdout=self.stdout, stderr=self.stderr)
        people = []
        for preset in PRESETS:
            municipality = governance_model_load_file(name_or_path=preset).municipality
            municipality_settings_update(
                municipality=municipality, colour=DEMO_COLOURS[preset], public_view=True
            )
            told = demo_followup(municipality=municipality, year=DEMO_YEAR)
            self.stdout.write(
                _(
                    "%(name)s: follow-up of %(previous)s and %(year)s: %(periods)s periods, "
                    "%(outcomes)s outcomes, %(assessments)s goal assessments."
                )
                % {
                    "name": municipality.name,
                    "previous": DEMO_YEAR - 1,
                    "year": DEMO_YEAR,
                    "periods": told.periods,
                    "outcomes": told.outcomes,
                    "assessments": told.assessments,
                }
            )
            demo_plans_adopt(municipality=municipality, year=DEMO_YEAR)
            economy = demo_economy(municipality=municipality, year=DEMO_YEAR)
            self.stdout.write(
                _(
                    "%(name)s: budget follow-up of %(year)s: %(units)s units with a budget, "
                    "%(forecasts)s forecasts, %(plans)s action plans."
                )
                % {
                    "name": municipality.name,
                    "year": DEMO_YEAR,
                    "units": economy.units,
                    "forecasts": economy.forecasts,
                    "plans": economy.action_plans,
                }
            )
            demo_internal_control(municipality=municipality, year=DEMO_YEAR)
            kolada = demo_kolada(municipality=municipality)
            self.stdout.write(
                _("%(name)s: example values in Kolada's format for %(count)s KPIs, 2020–2025.")
                % {"name": municipality.name, "count": len(kolada.kpis)}
            )
            people.extend(demo_people_create(municipality=municipality, password=DEMO_PASSWORD))
        user, _created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "admin@example.org"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("The demo is ready.")))
        self.stdout.write(_("Sign in at http://127.0.0.1:8000/ (the administration is at /admin/)"))
        self.stdout.write(_("  user name: %(username)s") % {"username": DEMO_USERNAME})
        self.stdout.write(_("  password:  %(password)s") % {"password": DEMO_PASSWORD})
        self.stdout.write(_("Or try Styr as one of these (same password):"))
        for person in people:
            self.stdout.write(f"  {person.username}: {person.description}")
        self.stdout.write(
            _("The public view, without signing in: http://127.0.0.1:8000/insyn/0180/")
        )
