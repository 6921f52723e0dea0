"""Mail backends for tests: the locmem outbox, except for addresses the test says the server refuses."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

#: Addresses the server refuses (a test sets and clears it).
REFUSED: set[str] = set()


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = set(message.recipients()) & REFUSED
            if refused:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable") for address in refused})
        return super().send_messages(messages)
