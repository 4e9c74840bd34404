"""WebSocket URL patterns. The stream consumer arrives with the live-updates issue."""

websocket_urlpatterns: list = []
