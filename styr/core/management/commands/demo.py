from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.governance.services import PRESETS

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "styr-demo"


class Command(BaseCommand):
    help = _("Set up the demo: migrate, load the four presets and create a demo administrator.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_model", *PRESETS, stdout=self.stdout, stderr=self.stderr)
        user, _created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "admin@example.org"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("The demo is ready.")))
        self.stdout.write(_("Sign in at http://127.0.0.1:8000/admin/"))
        self.stdout.write(_("  user name: %(username)s") % {"username": DEMO_USERNAME})
        self.stdout.write(_("  password:  %(password)s") % {"password": DEMO_PASSWORD})
