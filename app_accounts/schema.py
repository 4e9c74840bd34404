"""The app token in the OpenAPI description (imported by the app config)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AppTokenScheme(OpenApiAuthenticationExtension):
    target_class = "app_accounts.auth.AppTokenAuthentication"
    name = "appToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An app account's token (`esapp_…`, made in the admin): accepted on "
            "`POST /api/v1/statuses/` only.",
        }
