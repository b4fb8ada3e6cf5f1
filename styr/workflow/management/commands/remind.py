from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from styr.workflow.services import reminders_send


class Command(BaseCommand):
    help = _("Remind reporters of reports due within the configured number of days.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days, **options):
        sent = reminders_send(days=days)
        self.stdout.write(_("%(count)s reminder(s) sent.") % {"count": sent})
