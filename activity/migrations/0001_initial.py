"""ActivityEvent and PendingEvent move here from engagement: the state moves, the tables (and
every row) stay where they are, under their old names."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("engagement", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                        name='PendingEvent',
                        fields=[
                            ('event_id', models.BigIntegerField(primary_key=True, serialize=False)),
                        ],
                        options={'db_table': 'engagement_pendingevent'},
                    ),
            migrations.CreateModel(
                        name='ActivityEvent',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('kind', models.CharField(choices=[('visit', 'visited'), ('status', 'posted a status'), ('comment', 'commented'), ('reaction', 'reacted'), ('hashtag', 'used a hashtag'), ('blog_read', 'read a blog post'), ('question', 'asked a question'), ('vote', 'voted for a question'), ('answer', 'answered a question'), ('follow', 'followed someone'), ('idea', 'proposed an idea'), ('idea_vote', 'voted for an idea'), ('idea_decision', 'decided on an idea'), ('poll_vote', 'voted in a poll')], max_length=16)),
                            ('department_id', models.PositiveIntegerField(default=0)),
                            ('occurred_at', models.DateTimeField(default=django.utils.timezone.now)),
                            ('day', models.DateField()),
                            ('object_id', models.BigIntegerField(blank=True, null=True)),
                            ('value', models.IntegerField(blank=True, null=True)),
                            ('about_id', models.BigIntegerField(blank=True, null=True)),
                            ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ],
                        options={
                            'db_table': 'engagement_activityevent',
                            'indexes': [models.Index(fields=['day'], name='activity_day_idx'), models.Index(fields=['kind', 'object_id'], name='activity_object_idx')],
                            'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'visit')), fields=('actor', 'day'), name='activity_one_visit_a_day')],
                        },
                    ),
            ],
            database_operations=[],
        ),
    ]
