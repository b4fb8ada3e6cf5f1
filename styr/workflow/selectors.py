from django.db.models import QuerySet

from .models import Notification


def notifications_for(*, user) -> QuerySet[Notification]:
    """A person's own messages, newest first."""
    return Notification.objects.filter(user=user).select_related("municipality")
