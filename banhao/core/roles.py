"""The platform's roles: ground vocabulary every app may name (which units each works for, and
what each may do, live in ``accounts``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")
    WINDOW_CLERK = "window_clerk", _("Window clerk")  # 综合窗口
    DEPT_HANDLER = "dept_handler", _("Department handler")  # 承办人
    DEPT_HEAD = "dept_head", _("Department head")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    HOTLINE_SUPERVISOR = "hotline_supervisor", _("Hotline supervisor")
    COUNTY_LEADER = "county_leader", _("County leader")
    ADMIN = "admin", _("Administrator")
