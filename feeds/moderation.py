"""What else moderators act on, beyond statuses and comments: registered by the apps above.

A moderation log entry names its target by content type and id (`ModerationAction.target`), so
feeds knows nothing of the apps whose content it logs. Each app registers, in its
AppConfig.ready(), how an entry about its content is shown: the template included in the log
(with `target` and `entry` in its context) and the API field that carries the target's id
(`question_id` for questions to leadership), so the log's JSON keeps one named id per kind.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class TargetKind:
    template: str
    ref: str


_kinds: dict[str, TargetKind] = {}


def register_target(model: type[models.Model], *, template: str, ref: str) -> None:
    _kinds[model._meta.label_lower] = TargetKind(template=template, ref=ref)


def kind_of(label_lower: str) -> TargetKind | None:
    return _kinds.get(label_lower)


def target_refs() -> tuple[str, ...]:
    """The API fields naming a log entry's registered target, in registration order."""
    return tuple(dict.fromkeys(kind.ref for kind in _kinds.values()))
