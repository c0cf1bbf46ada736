"""A rate limiter: at most one call every `interval` seconds, across processes."""

import time

from django.db import transaction


class RateLimiter:
    """Spaces the calls to one service at least `interval` seconds apart.

    `wait()` reserves the next free moment and sleeps until it; `hold(seconds)`
    keeps every call away for that long (a service's Retry-After). The next
    free moment is a database row (`RateLimit`), locked while it is moved on,
    so that the web, every worker and a command running beside them share it.
    The clock (seconds since the epoch) and the sleep are injected so that
    tests run without sleeping.
    """

    def __init__(self, name, interval, clock=time.time, sleep=time.sleep):
        self.name = name
        self.interval = interval
        self.clock = clock
        self.sleep = sleep

    def _slot(self):
        from sessions.models import RateLimit

        return RateLimit.objects.select_for_update().get_or_create(name=self.name)[0]

    def wait(self):
        """Sleep until a call is allowed, and count it as made then. Returns
        the seconds slept."""
        with transaction.atomic():
            slot = self._slot()
            now = self.clock()
            start = max(now, slot.next_at)
            slot.next_at = start + self.interval
            slot.save(update_fields=["next_at"])
        delay = start - now
        if delay > 0:
            self.sleep(delay)
        return delay

    def hold(self, seconds):
        """No call for the next `seconds`."""
        with transaction.atomic():
            slot = self._slot()
            slot.next_at = max(slot.next_at, self.clock() + seconds)
            slot.save(update_fields=["next_at"])
