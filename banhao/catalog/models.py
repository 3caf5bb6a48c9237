"""Service items (事项) and one-thing bundles (一件事), seeded from Annex 2 of 源政发〔2024〕1号.

Annex 2 lists, per one-thing, its provincial, city and county lead departments and a row per
service item with the city and county responsible departments. The same item name can appear in
two one-things with different departments (e.g. 统筹相关申请核查信息的受理、分派、汇总和结果送达 in
one-things 6 and 7), so:

- ``ServiceItem`` is one administrative service handled by one county department;
- ``OneThingItem`` is one row of the annex: which item, at which position, and the city and
  county responsible departments as resolved and as written.

Every department reference keeps the gazette's spelling beside the resolved ``Department`` so
the transcription stays testable (e.g. one-thing 5's county lead is written 县发展改革局 and its
first row's county responsible unit 县发展改革委; both resolve to one department).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The 阶段 column of Annex 2."""

    ENTRY = "entry", _("Market entry and licensing")  # 准入准营
    OPERATION = "operation", _("Operation and growth")  # 经营发展
    EXIT = "exit", _("Deregistration and exit")  # 注销退出
    BIRTH = "birth", _("Birth")  # 出生
    SCHOOLING = "schooling", _("School enrolment")  # 入学
    LIVING = "living", _("Daily life")  # 生活
    RETIREMENT = "retirement", _("Retirement")  # 退休


class Audience(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprises")  # (一) 企业事项
    INDIVIDUAL = "individual", _("Individuals")  # (二) 个人事项


class ServiceItem(models.Model):
    """One administrative service (事项), handled by one county department."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("handling department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "department"], name="catalog_serviceitem_unique_name_per_dept"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OneThing(models.Model):
    """A bundle of items that one life or business event needs (一件事)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    stage_as_written = models.CharField(_("stage as written"), max_length=16, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, blank=True)
    province_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_province_lead",
        verbose_name=_("provincial lead department"),
    )
    province_lead_as_written = models.CharField(
        _("provincial lead as written"), max_length=64, blank=True
    )
    city_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_city_lead",
        verbose_name=_("city lead department"),
    )
    city_lead_as_written = models.CharField(_("city lead as written"), max_length=64, blank=True)
    county_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_county_lead",
        verbose_name=_("county lead department"),
    )
    county_lead_as_written = models.CharField(
        _("county lead as written"), max_length=64, blank=True
    )
    service_items = models.ManyToManyField(
        ServiceItem, through="OneThingItem", related_name="onethings", blank=True
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("one-thing")
        verbose_name_plural = _("one-things")

    def __str__(self) -> str:
        return self.name


class OneThingItem(models.Model):
    """One row of Annex 2: a service item inside a one-thing, with its responsible units."""

    onething = models.ForeignKey(
        OneThing, on_delete=models.CASCADE, related_name="items", verbose_name=_("one-thing")
    )
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="onething_rows",
        verbose_name=_("service item"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    city_responsible = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("city responsible department"),
    )
    city_responsible_as_written = models.CharField(_("city responsible as written"), max_length=64)
    county_responsible = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="onething_rows",
        verbose_name=_("county responsible department"),
    )
    county_responsible_as_written = models.CharField(
        _("county responsible as written"), max_length=64
    )

    class Meta:
        ordering = ["onething__number", "position"]
        verbose_name = _("one-thing item")
        verbose_name_plural = _("one-thing items")
        constraints = [
            models.UniqueConstraint(
                fields=["onething", "position"], name="catalog_onethingitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["onething", "item"], name="catalog_onethingitem_unique_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.onething.number}.{self.position} {self.item.name}"


# --- Definitions that make a one-thing applicable online (issue 3) ---------------------------
#
# The rows above transcribe the gazette. The models below say how each service works: its time
# limits, fee, form fields and materials, and per bundle the guided questions, which items
# apply to which answers, and which items need another item's result. Administrators edit them
# in the admin; ``catalog.services.publish_bundle`` compiles them into an immutable
# ``BundleVersion`` that applications point at, so an edit never changes a submitted one.


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    ID_NUMBER = "id_number", _("Resident ID number")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    MOBILE = "mobile", _("Mobile phone number")
    DATE = "date", _("Date (not in the future)")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes or no")


class FormField(models.Model):
    """One field of an application form; items sharing a key share the field (merged once)."""

    key = models.SlugField(_("key"), max_length=48, unique=True)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    # For choice fields: [{"value": "m", "label": "男", "label_en": "Male"}, ...]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help = models.CharField(_("help"), max_length=200, blank=True)
    help_en = models.CharField(_("English help"), max_length=300, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"


class RecordKind(models.TextChoices):
    """Which government record holds a material, so it is taken from there, not uploaded
    (免提交, ADR 0019)."""

    NONE = "", _("No record: the applicant uploads it")
    IDENTITY = "identity", _("Resident identity (verified identity, population register)")
    HOUSEHOLD = "household", _("Household registration record")
    LICENCE = "licence", _("A current e-licence of a type")


class RecordHolder(models.TextChoices):
    """Whose record it is, seen from the applicant."""

    APPLICANT = "applicant", _("The applicant")
    SPOUSE = "spouse", _("The applicant's spouse")
    # A newborn's parents: the applicant or the spouse, by the ID number's sex digit.
    MOTHER = "mother", _("The mother (applicant or spouse)")
    FATHER = "father", _("The father (applicant or spouse)")
    COUPLE = "couple", _("The applicant, or else the spouse")
    CHILD = "child", _("The applicant's child named in the form")
    ENTERPRISE = "enterprise", _("The applying enterprise")


class Material(models.Model):
    """A document an applicant uploads; several items needing it get one upload.

    Where a government record holds the document (an e-licence, the household registration,
    the verified identity), ``record_kind`` says which and a verified applicant may let it be
    taken from there instead of uploading it.
    """

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    # Comma-separated lower-case extensions, e.g. "pdf,jpg,png".
    file_types = models.CharField(_("accepted file types"), max_length=60, default="pdf,jpg,png")
    max_size_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=10)
    note = models.CharField(_("note"), max_length=200, blank=True)
    note_en = models.CharField(_("English note"), max_length=300, blank=True)
    record_kind = models.CharField(
        _("held by government record"), max_length=12, choices=RecordKind.choices, blank=True
    )
    record_holder = models.CharField(
        _("record holder"), max_length=12, choices=RecordHolder.choices, blank=True
    )
    # For a licence: the archives' licence type code (e.g. "marriage_certificate"). A code,
    # not a key: the catalogue sits below the archives (ADR 0012).
    licence_type = models.SlugField(_("licence type code"), max_length=48, blank=True)
    # For a child: the form field holding the child's ID number (e.g. "student_id_number").
    holder_field = models.SlugField(_("form field naming the holder"), max_length=48, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .definitions import DefinitionError, check_record

        try:
            check_record(self.record_spec())
        except DefinitionError as exc:
            raise ValidationError(str(exc)) from exc

    def record_spec(self) -> dict:
        """The record that holds this material, as the compiled definition carries it."""
        if not self.record_kind:
            return {}
        spec = {"kind": self.record_kind, "holder": self.record_holder}
        if self.licence_type:
            spec["licence_type"] = self.licence_type
        if self.holder_field:
            spec["holder_field"] = self.holder_field
        return spec


class ServiceItemProfile(models.Model):
    """How one service item works: time limits in working days, fee, result, form and materials.

    A one-to-one beside ``ServiceItem`` keeps the gazette transcription apart from the rules a
    county sets (and changes) itself.
    """

    item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, related_name="profile", verbose_name=_("item")
    )
    legal_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    committed_days = models.PositiveSmallIntegerField(_("committed time limit (working days)"))
    fee_yuan = models.DecimalField(_("fee (yuan)"), max_digits=10, decimal_places=2, default=0)
    fee_note = models.CharField(_("fee note"), max_length=200, blank=True)
    # Steps the applicant goes through when applying for this item alone (申请、受理、审查、决定、送达).
    steps = models.PositiveSmallIntegerField(_("steps when applied for alone"), default=4)
    visits = models.PositiveSmallIntegerField(_("visits when applied for alone"), default=1)
    result_label = models.CharField(_("result"), max_length=100)
    result_label_en = models.CharField(_("English result"), max_length=160, blank=True)
    # The result a handler records is checked against this (e.g. a certificate number format).
    result_pattern = models.CharField(_("result pattern (regular expression)"), max_length=100)
    result_example = models.CharField(_("result example"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("service item profile")
        verbose_name_plural = _("service item profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(committed_days__lte=models.F("legal_days")),
                name="catalog_profile_committed_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)


class ItemField(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="item_fields")
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="item_fields")
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("item form field")
        verbose_name_plural = _("item form fields")
        constraints = [
            models.UniqueConstraint(fields=["item", "field"], name="catalog_itemfield_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.field.key}"


class ItemMaterial(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="item_materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="item_materials")
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("item material")
        verbose_name_plural = _("item materials")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "material"], name="catalog_itemmaterial_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.material.code}"


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One of several")


class Question(models.Model):
    """One question of a bundle's guided questionnaire (智能导引)."""

    onething = models.ForeignKey(OneThing, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=48)
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=200)
    text_en = models.CharField(_("English question"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help = models.CharField(_("help"), max_length=200, blank=True)
    help_en = models.CharField(_("English help"), max_length=300, blank=True)

    class Meta:
        ordering = ["onething", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["onething", "key"], name="catalog_question_unique_key"),
        ]

    def __str__(self) -> str:
        return self.text


class ItemRule(models.Model):
    """Per bundle row: when the item applies and which other rows' results it needs.

    ``condition`` is a small expression on the questionnaire's answers (see
    ``catalog.definitions.evaluate``), e.g. ``{"all": [{"q": "in_wedlock", "eq": "yes"}]}``;
    empty means always. ``depends_on`` lists the positions of the rows whose results this row
    needs; a row applies only if every row it depends on applies.
    """

    row = models.OneToOneField(
        OneThingItem, on_delete=models.CASCADE, related_name="rule", verbose_name=_("row")
    )
    condition = models.JSONField(_("applies when"), default=dict, blank=True)
    condition_text = models.CharField(_("condition in words"), max_length=200, blank=True)
    condition_text_en = models.CharField(_("English condition"), max_length=300, blank=True)
    depends_on = models.JSONField(_("needs results of rows"), default=list, blank=True)
    # Rows this one waits for only when they apply too (e.g. school enrolment waits for the
    # residence permit, which only migrant families need).
    waits_for = models.JSONField(_("waits for rows, if they apply"), default=list, blank=True)
    # For a row whose gazette unit is a collective placeholder (e.g. "the departments that keep
    # the list"): the question whose answer names the real department (its choice values are
    # department names).
    department_question = models.SlugField(
        _("department chosen by question"), max_length=48, blank=True
    )
    # Documents this item would ask for if applied for alone that the bundle passes on as data
    # from an earlier item's result (counted in the reform figures).
    replaces_materials = models.JSONField(
        _("documents replaced by shared results"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("item rule")
        verbose_name_plural = _("item rules")

    def __str__(self) -> str:
        return str(self.row)


class ItemRoute(models.Model):
    """Cross-region handling (跨域通办): in ``region`` this item is handled by ``department``."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="routes")
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("cross-region route")
        verbose_name_plural = _("cross-region routes")
        constraints = [
            models.UniqueConstraint(fields=["item", "region"], name="catalog_itemroute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.region} → {self.department}"


class BundleVersion(models.Model):
    """An immutable, compiled definition of a bundle; applications keep the one they began on."""

    onething = models.ForeignKey(OneThing, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    digest = models.CharField(_("digest"), max_length=64)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["onething", "-number"]
        get_latest_by = "number"
        verbose_name = _("bundle version")
        verbose_name_plural = _("bundle versions")
        constraints = [
            models.UniqueConstraint(
                fields=["onething", "number"], name="catalog_bundleversion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.onething} v{self.number}"
