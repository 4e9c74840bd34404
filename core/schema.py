"""OpenAPI descriptions drf-spectacular cannot infer. Imported by the app config."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "Session token from POST /_allauth/app/v1/auth/login.",
        }


# Errors every operation can answer (docs/architecture.md, "API"): JSON with `detail` or with
# field errors. Documented once here so clients, and the fuzzer, know every status they may see.
ERROR_BODY = {
    "type": "object",
    "description": '`{"detail": message}`, or field name → list of messages for a 400.',
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Invalid input: field errors, or `detail`.",
    "401": "Not authenticated.",
    "403": "Not allowed for this user.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed on this object.",
    "429": "Rate-limited; see `Retry-After`.",
    "503": "A data store is unavailable for a moment; try again.",
}
# Only where a request carries a body.
BODY_ERROR_RESPONSES = {
    "413": "Too large: an uploaded file above its limit (core.uploads).",
    "415": "Unsupported `Content-Type`: send one of the media types this operation lists.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERROR_RESPONSES)
        for code, description in sorted(errors.items()):
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        return responses
