"""The admin, with every addition, change and deletion made in it recorded in the audit log.

Listed in INSTALLED_APPS in place of "django.contrib.admin" (Django's documented way to use
another default site); the site class is named by a string so nothing here loads models."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "audit.admin_site.AuditedAdminSite"
