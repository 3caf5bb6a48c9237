from django.contrib import admin

from .models import PaymentTarget


@admin.register(PaymentTarget)
class PaymentTargetAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "metric", "threshold", "deadline", "text"]
    list_filter = ["metric"]
    search_fields = ["code", "text", "text_en"]
