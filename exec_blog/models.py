from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from feeds.models import Removable

BODY_MIN = 10
BODY_MAX = 500


class Question(Removable):
    """A question to leadership. Hidden ones stay as tombstones; merged ones point to the earlier.

    `asker` is stored only to enforce the rate limit and to let the asker recognise their own
    question: for an anonymous question it is never shown anywhere (pages, API, admin, exports).
    """

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    anonymous = models.BooleanField(default=False)
    body = models.TextField(max_length=BODY_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    votes_count = models.PositiveIntegerField(default=0)
    answer_body = models.TextField(blank=True)
    answer_html = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    class Meta:
        ordering = ["-votes_count", "-id"]
        indexes = [
            models.Index(fields=["-votes_count", "-id"], name="question_votes_idx"),
            models.Index(fields=["-created_at", "-id"], name="question_time_idx"),
            models.Index(
                fields=["-votes_count", "-id"],
                name="question_open_votes_idx",
                condition=Q(answered_at__isnull=True, removal="", merged_into__isnull=True),
            ),
            # The rate limit: someone's questions in the last hour.
            models.Index(fields=["asker", "-created_at"], name="question_asker_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="question_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"question {self.pk}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("exec_blog:question", kwargs={"question_id": self.pk})

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def days_open(self) -> int | None:
        if self.is_answered:
            return None
        return (timezone.now() - self.created_at).days


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once"),
        ]
        indexes = [models.Index(fields=["user", "question"], name="question_vote_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} votes {self.question_id}"
