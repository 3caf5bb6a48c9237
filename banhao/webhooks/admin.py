"""Configuration screens. Every change goes through the services (validated, audited)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .errors import WebhookError
from .models import Attempt, Delivery, OutboxEvent, Subscriber
from .states import EventType


class SubscriberForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscriber
        fields = ["name", "url", "region", "unit", "event_types", "is_active"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.clean_subscriber(
                    name=data["name"], url=data["url"], event_types=data["event_types"]
                )
            except WebhookError as exc:
                self.add_error(exc.field or None, exc.message)
        return data


def _readonly(model) -> list[str]:
    return [f.name for f in model._meta.fields]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberForm
    list_display = ["name", "url", "region", "unit", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "previous_secret_until", "created_at", "updated_at"]
    actions = ["rotate"]

    def save_model(self, request, obj, form, change):
        data = {
            "name": obj.name,
            "url": obj.url,
            "event_types": form.cleaned_data["event_types"],
            "region_id": obj.region_id,
            "unit_id": obj.unit_id,
        }
        if change:
            saved = services.update_subscriber(
                actor=request.user, subscriber_id=obj.pk, is_active=obj.is_active, **data
            )
        else:
            saved = services.create_subscriber(actor=request.user, **data)
        obj.pk, obj.secret = saved.pk, saved.secret
        obj._state.adding = False

    @admin.action(description=_("Rotate the secret (the old one signs for 24 hours more)"))
    def rotate(self, request, queryset):
        for subscriber in queryset:
            services.rotate_secret(actor=request.user, subscriber_id=subscriber.pk)
        messages.success(request, _("New secrets made; hand them to the department systems."))

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the delivery log keeps pointing at it


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "event_type", "subject", "region", "unit", "created_at"]
    list_filter = ["event_type"]
    search_fields = ["=event_id", "subject"]

    def get_readonly_fields(self, request, obj=None):
        return _readonly(self.model)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "duration_ms", "status_code", "error", "delivered"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "subscriber",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "subscriber"]
    list_select_related = ["subscriber", "event"]
    inlines = [AttemptInline]
    actions = ["replay"]

    def get_readonly_fields(self, request, obj=None):
        return _readonly(self.model)

    @admin.action(description=_("Send again"))
    def replay(self, request, queryset):
        try:
            for delivery in queryset:
                services.replay_delivery(actor=request.user, delivery_id=delivery.pk)
        except WebhookError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The deliveries will be sent again."))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
