"""Signals the grader sends; other apps (api: webhooks, lti: grade passback) listen."""

from django.dispatch import Signal

# Sent after commit when a submission is answered with an earlier identical one's grade
# (services._reuse): no worker task runs for it. Argument: submission_id.
submission_reused = Signal()
