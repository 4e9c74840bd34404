"""Named hooks: a lower layer says what happened; the apps above it that care answer.

Not Django signals: the service that writes calls `send` explicitly, inside its transaction, so
the path from a click to its consequences can still be read top to bottom. An app connects its
receivers in its `AppConfig.ready()`; receivers run in the order they were connected, and an
exception in one propagates to the caller (and rolls its transaction back).
"""

from collections import defaultdict
from collections.abc import Callable

_receivers: dict[str, list[Callable[..., object]]] = defaultdict(list)


def connect(name: str, receiver: Callable[..., object]) -> None:
    """Call `receiver(**kwargs)` whenever `send(name, **kwargs)` runs (once, however often
    it is connected)."""
    if receiver not in _receivers[name]:
        _receivers[name].append(receiver)


def disconnect(name: str, receiver: Callable[..., object]) -> None:
    if receiver in _receivers[name]:
        _receivers[name].remove(receiver)


def send(name: str, **kwargs: object) -> None:
    for receiver in list(_receivers[name]):
        receiver(**kwargs)
