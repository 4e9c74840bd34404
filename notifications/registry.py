"""How each kind of notification renders, registered by the app that owns the kind.

This app stores notifications without knowing what they are about. Each app calls `register`
in its `AppConfig.ready()` for the kinds it sends, once per kind and target model (a mention
can be about a status, a comment or an idea, and each of those renders its own way):

    register("answer", label="answered your question", icon="check", model=Question,
             text=answer_text, url=lambda n, q: f"/ask/{q.pk}/",
             refs=lambda q: {"question_id": q.pk}, excerpt=question_excerpt)

`label` ends the sentence "<actor> [and N others] …"; `text(notification, target)` may return
another ending for one notification (it then depends on its recipient, so live events serialise
it per recipient). `url(notification, target)` is where it links (default: the target's
`get_absolute_url()`, or the actor's profile without a target). `refs(target)` gives the ids the
API carries (`status_id`, `comment_id`, `question_id`, `idea_id`; missing ones are null).
`excerpt(target)` is the quoted line under it on the notifications page. `related` is the
`select_related` used when a page of targets is fetched, so `refs`, `url` and `excerpt` cost
no query. `grouped`: one unread notification per recipient and target collects every actor.
A kind nobody registered renders with a neutral default rather than failing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Notification

# The ids the API serialises for every notification; `refs` fills in those that apply.
REFS = ("status_id", "comment_id", "question_id", "idea_id")
ICONS = ("mention", "comment", "reaction", "follow", "check")

Target = models.Model | None


@dataclass(frozen=True)
class Excerpt:
    """The line quoted under a notification on its page: plain `text`, or stored sanitised
    `html` (shown without its tags), or a `note` such as "(removed)" shown as it is."""

    text: str = ""
    html: str = ""
    note: str = ""


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    icon: str = "check"
    model: type[models.Model] | None = None
    text: Callable[[Notification, Target], str | None] | None = None
    page_label: str = ""
    url: Callable[[Notification, Target], str] | None = None
    refs: Callable[[models.Model], dict[str, int | None]] | None = None
    excerpt: Callable[[models.Model], Excerpt | None] | None = None
    related: tuple[str, ...] = field(default=())
    grouped: bool = False


_by_kind_and_model: dict[tuple[str, type[models.Model] | None], KindSpec] = {}
_related: dict[type[models.Model], set[str]] = {}


def register(
    kind: str,
    *,
    label: str,
    icon: str = "check",
    model: type[models.Model] | None = None,
    text: Callable[[Notification, Target], str | None] | None = None,
    page_label: str = "",
    url: Callable[[Notification, Target], str] | None = None,
    refs: Callable[[models.Model], dict[str, int | None]] | None = None,
    excerpt: Callable[[models.Model], Excerpt | None] | None = None,
    related: tuple[str, ...] = (),
    grouped: bool = False,
) -> KindSpec:
    """Declare how `kind` renders when it is about a `model` (None: about nothing, or the
    fallback for targets of a model not registered for this kind). `page_label`: the page's
    ending when it differs from the API's `label`."""
    if icon not in ICONS:
        raise ValueError(f"Unknown notification icon {icon!r}: one of {', '.join(ICONS)}.")
    if len(kind) > Notification._meta.get_field("kind").max_length:
        raise ValueError(f"Notification kind {kind!r} is too long.")
    spec = KindSpec(
        kind=kind,
        label=label,
        icon=icon,
        model=model,
        text=text,
        page_label=page_label,
        url=url,
        refs=refs,
        excerpt=excerpt,
        related=tuple(related),
        grouped=grouped,
    )
    key = (kind, model)
    if key in _by_kind_and_model and _by_kind_and_model[key] != spec:
        raise ValueError(f"Notification kind {kind!r} is already registered for {model!r}.")
    _by_kind_and_model[key] = spec
    if model is not None:
        _related.setdefault(model, set()).update(related)
    return spec


def spec_for(kind: str, model: type[models.Model] | None) -> KindSpec:
    spec = _by_kind_and_model.get((kind, model)) or _by_kind_and_model.get((kind, None))
    if spec is None:
        for (known, _), candidate in _by_kind_and_model.items():
            if known == kind:
                spec = candidate
                break
    return spec or KindSpec(kind=kind, label="sent you a notification")


def is_grouped(kind: str) -> bool:
    return any(spec.grouped for (known, _), spec in _by_kind_and_model.items() if known == kind)


# model -> readable(recipient_id, targets) -> the pks of those targets the recipient may read now.
_readable: dict[type[models.Model], Callable[[int, list], set[int]]] = {}
# model -> readable_many({recipient_id: targets}) -> {(recipient_id, pk)} they may read now.
_readable_many: dict[type[models.Model], Callable[[dict[int, list]], set[tuple[int, int]]]] = {}


def register_readable(
    model: type[models.Model],
    readable: Callable[[int, list], set],
    *,
    many: Callable[[dict[int, list]], set[tuple[int, int]]] | None = None,
) -> None:
    """Who may read a target is decided when a notification is shown, not when it was sent: a
    community made private, a member removed. A target its recipient may no longer read is shown
    as if it were gone (no excerpt, no link to it), like a deleted one.

    `many` answers the same question for many recipients at once, in a number of queries that
    does not grow with them (a batch of emails or pushes to thousands of people): given
    {recipient id: targets}, the (recipient id, target pk) pairs that may be read. It must agree
    with `readable`; without it, `readable` is asked once per recipient."""
    _readable[model] = readable
    if many is not None:
        _readable_many[model] = many
    else:
        _readable_many.pop(model, None)


def readable_for(model: type[models.Model]) -> Callable[[int, list], set] | None:
    return _readable.get(model)


def readable_many_for(
    model: type[models.Model],
) -> Callable[[dict[int, list]], set[tuple[int, int]]] | None:
    return _readable_many.get(model)


def kinds() -> list[str]:
    """Every registered kind, in the order of registration."""
    return list(dict.fromkeys(kind for kind, _ in _by_kind_and_model))


def related_for(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(sorted(_related.get(model, ())))


# --- Rendering -----------------------------------------------------------------------------


def target_model(notification: Notification) -> type[models.Model] | None:
    if notification.target_type_id is None:
        return None
    return ContentType.objects.get_for_id(notification.target_type_id).model_class()


def loaded_target(notification: Notification) -> Target:
    """The target, if it was attached (`selectors.targets_attach` or the service that made
    it); never a query. None for a follow and for a target deleted since."""
    if notification.target_type_id is None:
        return None
    field_ = Notification._meta.get_field("target")
    if field_.is_cached(notification):
        return field_.get_cached_value(notification)
    return notification.target


def spec_of(notification: Notification) -> KindSpec:
    return spec_for(notification.kind, target_model(notification))


def who(notification: Notification) -> str:
    name = notification.actor.profile.display_name or notification.actor.username
    others = notification.others_count
    if others == 1:
        return f"{name} and 1 other"
    if others > 1:
        return f"{name} and {others} others"
    return name


def ending(notification: Notification, *, page: bool = False) -> str:
    spec = spec_of(notification)
    target = loaded_target(notification)
    if spec.text is not None and target is not None:
        special = spec.text(notification, target)
        if special:
            return special
    return (spec.page_label or spec.label) if page else spec.label


def text(notification: Notification) -> str:
    return f"{who(notification)} {ending(notification)}"


def url(notification: Notification) -> str:
    spec = spec_of(notification)
    target = loaded_target(notification)
    if spec.url is not None and (target is not None or spec.model is None):
        return spec.url(notification, target)
    if target is not None and hasattr(target, "get_absolute_url"):
        return target.get_absolute_url()
    return f"/people/{notification.actor.username}/"


def refs(notification: Notification) -> dict[str, int | None]:
    values: dict[str, int | None] = dict.fromkeys(REFS)
    spec = spec_of(notification)
    target = loaded_target(notification)
    if spec.refs is not None and target is not None:
        values.update({k: v for k, v in spec.refs(target).items() if k in values})
    return values


def excerpt(notification: Notification) -> Excerpt | None:
    spec = spec_of(notification)
    target = loaded_target(notification)
    if spec.excerpt is None or target is None:
        return None
    return spec.excerpt(target)


def icon(notification: Notification) -> str:
    return spec_of(notification).icon
