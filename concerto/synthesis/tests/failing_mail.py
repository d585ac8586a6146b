"""An e-mail backend whose server refuses every message (tests of the ``failed`` status)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"550 mailbox unavailable") for m in email_messages})
