"""When to try again: exponential backoff with full jitter, and a circuit breaker for a backend that is down."""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=5)
    max_attempts: int = 12  # then the command is parked for a person instead of retried for ever

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)]."""
        ceiling = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** min(attempts, 30))
        return timedelta(seconds=rng.uniform(0, ceiling))


@dataclass
class CircuitBreaker:
    """Open after `threshold` transient failures in a row; then no calls until `open_until`,
    after which one call is let through (half-open): success closes it, failure opens it again
    for twice as long, up to `max_cooldown`."""

    threshold: int = 5
    cooldown: timedelta = timedelta(seconds=15)
    max_cooldown: timedelta = timedelta(minutes=5)
    failures: int = 0
    open_until: datetime | None = None
    _current_cooldown: timedelta = field(default=timedelta(0), repr=False)

    def allows(self, now: datetime) -> bool:
        return self.open_until is None or now >= self.open_until

    def half_open(self, now: datetime) -> bool:
        return self.open_until is not None and now >= self.open_until

    def record_success(self) -> None:
        self.failures, self.open_until, self._current_cooldown = 0, None, timedelta(0)

    def record_failure(self, now: datetime) -> None:
        self.failures += 1
        if self.failures >= self.threshold or self.open_until is not None:
            self._current_cooldown = min(self.max_cooldown, max(self.cooldown, self._current_cooldown * 2))
            self.open_until = now + self._current_cooldown
