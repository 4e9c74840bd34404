"""`Authorization: Bearer esapp_…`: an app account's token on the API.

An app only posts statuses: its token is accepted on `POST /api/v1/statuses/` and refused (403)
everywhere else, so a leaked token cannot read the company's feed or act as a person. Tokens
that are not an app's (no `esapp_` prefix) are left to the other authentication classes.
"""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from audit.context import credential_note

from .services import TOKEN_PREFIX, app_for_token

# (URL name, method) an app token may call.
ALLOWED = {("api-statuses", "POST")}


class AppTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give one token after Bearer.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = app_for_token(token)
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        user = row.app.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This app account is inactive.")
        match = getattr(request._request, "resolver_match", None)
        if (getattr(match, "url_name", None), request.method) not in ALLOWED:
            raise exceptions.PermissionDenied("An app token may only post statuses.")
        # What the app writes in this request is audited with the token that wrote it.
        credential_note(f"app token {row}")
        return user, row

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
