"""OpenAPI descriptions drf-spectacular cannot infer. Imported by the app config."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "enterprise_social.api.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "Session token from POST /_allauth/app/v1/auth/login.",
        }
