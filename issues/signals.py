"""What issues tells other apps, without knowing them: they connect to these signals from AppConfig.ready().

`issue_published(sender=Issue, issue=...)` is sent inside the transaction that publishes the issue, so that what a
receiver writes commits or rolls back with the publication (the e-mail distribution, `distribution/`, creates the
issue's mailing on it and queues the sending for after the commit).
"""

from django.dispatch import Signal

issue_published = Signal()
