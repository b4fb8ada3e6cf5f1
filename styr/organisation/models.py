"""The municipality and its organisation tree.

OrgUnit keeps a materialised path of unit codes ("KF/SDN-OM/FV-OM/"), so a subtree is one
indexed prefix lookup on (municipality, path) and tree order is simply path order.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from styr.core.history import track_history
from styr.core.models import TenantModel, TimestampedModel

PATH_SEPARATOR = "/"

code_validator = RegexValidator(
    r"^[\w.-]+$",
    _("Use only letters, digits, hyphen, full stop and underscore in a code."),
)


class Municipality(TimestampedModel):
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("A municipality code is four digits."))],
        help_text=_("As Kolada writes it, e.g. 0180 for Stockholm."),
    )
    name = models.CharField(_("name"), max_length=200)
    # The look of its pages: a brand colour and a small logo, kept in the database so that a
    # backup, an export and every app server carry them without a shared file store.
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1E4B7A",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Write the colour as #RRGGBB."))],
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(_("logo file type"), max_length=40, blank=True, editable=False)
    kolada_group = models.CharField(
        _("Kolada comparison group"),
        max_length=20,
        blank=True,
        help_text=_("The group of similar municipalities to compare with, e.g. G37523."),
    )
    public_view = models.BooleanField(
        _("public view"),
        default=False,
        help_text=_("Anyone, without signing in, may read the decided plans and follow-ups."),
    )
    history = track_history(excluded_fields=["logo"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def text_colour(self) -> str:
        """White or near-black, whichever reads better on the brand colour (WCAG contrast)."""

        def linear(channel: int) -> float:
            c = channel / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        red, green, blue = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        on_white = 1.05 / (luminance + 0.05)
        on_black = (luminance + 0.05) / 0.05
        return "#ffffff" if on_white >= on_black else "#1b1b1b"


class UnitType(TenantModel):
    """A kind of organisational unit as the styrmodell names it: KF, nämnd, förvaltning …"""

    key = models.CharField(_("key"), max_length=50, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_plural = models.CharField(_("name (plural)"), max_length=100, blank=True)
    is_political = models.BooleanField(
        _("political body"),
        default=False,
        help_text=_("A body of elected members (fullmäktige, styrelse, nämnd) that decides."),
    )
    allowed_parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_children",
        verbose_name=_("allowed parent types"),
        through="UnitTypeParent",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["municipality_id", "order", "name"]
        verbose_name = _("unit type")
        verbose_name_plural = _("unit types")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="unittype_unique_key_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class UnitTypeParent(TenantModel):
    child = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("allowed parent type")
        verbose_name_plural = _("allowed parent types")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "child", "parent"], name="unittypeparent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.parent}"


class OrgUnitQuerySet(models.QuerySet):
    def in_subtree(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        """The unit and everything below it: one prefix lookup on the (municipality, path) index."""
        return self.filter(municipality_id=unit.municipality_id, path__startswith=unit.path)

    def valid_on(self, day: datetime.date) -> "OrgUnitQuerySet":
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class OrgUnit(TenantModel):
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    type = models.ForeignKey(
        UnitType, on_delete=models.PROTECT, related_name="units", verbose_name=_("unit type")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("path"), max_length=1000, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "path"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="orgunit_unique_code_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="orgunit_valid_to_after_valid_from",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' in any
            # collation; other databases ignore the operator class.
            models.Index(
                fields=["municipality", "path"],
                name="orgunit_subtree_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def indented_name(self) -> str:
        return "\u2003" * self.depth + self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None or self.type_id is None:
            return
        parent = self.parent
        if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path)):
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
        allowed = set(self.type.allowed_parents.values_list("pk", flat=True))
        if allowed and parent.type_id not in allowed:
            raise ValidationError(
                {
                    "parent": _("A %(type)s cannot be placed under a %(parent_type)s.")
                    % {"type": self.type.name, "parent_type": parent.type.name}
                }
            )

    def save(self, *args, **kwargs) -> None:
        """Keep path and depth derived from the parent; moving a unit moves its subtree."""
        parent_path = self.parent.path if self.parent_id else ""
        new_path = f"{parent_path}{self.code}{PATH_SEPARATOR}"
        new_depth = self.parent.depth + 1 if self.parent_id else 0
        old_path, old_depth = self.path, self.depth
        self.path, self.depth = new_path, new_depth
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                OrgUnit.objects.filter(
                    municipality_id=self.municipality_id, path__startswith=old_path
                ).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (new_depth - old_depth),
                )


class Role(models.TextChoices):
    READER = "reader", _("reader")
    REPORTER = "reporter", _("reporter")
    PLANNER = "planner", _("planner")
    APPROVER = "approver", _("approver")
    ADMINISTRATOR = "administrator", _("administrator")


class RoleGrant(TenantModel):
    """A role a user holds on a unit; it covers the unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("unit")
    )

    class Source(models.TextChoices):
        MANUAL = "manual", _("granted in Styr")
        SSO = "sso", _("from the single sign-on groups")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    history = track_history()

    class Meta:
        ordering = ["municipality_id", "user_id", "unit__path"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "user", "unit", "role"], name="rolegrant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
