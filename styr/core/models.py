from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimestampedModel):
    """A row that belongs to one municipality.

    Every domain table carries its municipality directly, and its unique constraints and main
    indexes start with it, so one installation hosts many municipalities and can later be
    sharded by municipality without a redesign.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
        # Every tenant table has a unique constraint or index that starts with municipality;
        # a separate index on the column alone would only be a second copy.
        db_index=False,
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        """Everything a row points to must belong to the same municipality."""
        super().clean()
        if self.municipality_id is None:
            return
        errors = {}
        for field in self._meta.concrete_fields:
            if not field.many_to_one or not issubclass(field.related_model, TenantModel):
                continue
            if field.name == "municipality" or getattr(self, field.attname) is None:
                continue
            related = getattr(self, field.name)
            if related.municipality_id != self.municipality_id:
                errors[field.name] = _("%(object)s belongs to another municipality.") % {
                    "object": related
                }
        if errors:
            raise ValidationError(errors)
