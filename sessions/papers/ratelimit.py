"""A rate limiter: at most one call every `interval` seconds in this process."""

import threading
import time


class RateLimiter:
    """Spaces calls at least `interval` seconds apart.

    `wait()` reserves the next free moment and sleeps until it; `hold(seconds)`
    keeps every call away for that long (a service's Retry-After). The clock
    and the sleep are injected so that tests run without sleeping.
    """

    def __init__(self, interval, clock=time.monotonic, sleep=time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next = None
        self._lock = threading.Lock()

    def wait(self):
        """Sleep until a call is allowed, and count it as made then. Returns
        the seconds slept."""
        with self._lock:
            now = self.clock()
            start = now if self._next is None else max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            self.sleep(delay)
        return delay

    def hold(self, seconds):
        """No call for the next `seconds` (and the usual interval after)."""
        with self._lock:
            until = self.clock() + seconds
            self._next = until if self._next is None else max(self._next, until)
