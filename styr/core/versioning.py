"""No lost updates. Every save of a versioned row raises its version; a person's save names the
version they saw, and when someone else has saved in between it is refused with a message that
shows what the other person changed (optimistic locking) — never a silent overwrite."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .history import object_changes

# A service called without a version (a command, an import) does not check for conflicts.
UNCHECKED = object()


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class ConflictError(ValidationError):
    """Someone else saved the row after it was read. The message says who and what changed."""


def conflict_message(model, pk, seen_version: int) -> str:
    who, changes = object_changes(model, pk, since_version=seen_version)
    details = "; ".join(f"{c.label}: {c.before} → {c.after}" for c in changes) or _("no fields")
    return _(
        "%(who)s saved this after you opened it (%(details)s). Your change was not saved: "
        "reload to see theirs, then make your change again."
    ) % {"who": who, "details": details}


def save_if_unchanged(obj: VersionedModel, *, seen_version: int | None, **kwargs) -> None:
    """Save `obj` if its row is still at the version the person saw; otherwise refuse."""
    model = type(obj)
    with transaction.atomic():
        if seen_version is not None and obj.pk is not None:
            # The row lock (PostgreSQL) makes a concurrent save wait, then see the new version.
            still_seen = (
                model.objects.select_for_update().filter(pk=obj.pk, version=seen_version).exists()
            )
            if not still_seen:
                raise ConflictError(conflict_message(model, obj.pk, seen_version))
            obj.version = seen_version
        obj.save(**kwargs)
