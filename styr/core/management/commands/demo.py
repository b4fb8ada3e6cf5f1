from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.followup.demo import demo_followup
from styr.governance.services import PRESETS, governance_model_load_file

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "styr-demo"
DEMO_YEAR = 2026  # the presets' plan_year


class Command(BaseCommand):
    help = _("Set up the demo: migrate, load the four presets and create a demo administrator.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_model", *PRESETS, stdout=self.stdout, stderr=self.stderr)
        for preset in PRESETS:
            municipality = governance_model_load_file(name_or_path=preset).municipality
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
