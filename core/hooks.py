"""Extension points: how a lower layer learns about a higher one without importing it.

A lower layer declares a `Hook` and calls it explicitly where the thing happens (no Django
signals, so the path from a click to its effects reads top to bottom: the call site names the
hook, the hook's receivers are listed by `receivers`). Higher apps connect to it in their
`AppConfig.ready()`. Receivers run in the caller's transaction, in the order they connected.
"""

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Register `receiver` once (connecting twice, as a test's second app load would, is
        harmless). Returns it, so it can be a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Any]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def send(self, **kwargs: Any) -> list[Any]:
        return [receiver(**kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"


# A request authenticated by an API token (the session middleware sees browser requests; token
# clients are authenticated later, by DRF). activity counts the day's visit.
api_authenticated = Hook("api.authenticated", "kwargs: user")
