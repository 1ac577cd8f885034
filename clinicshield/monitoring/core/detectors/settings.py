"""Thresholds of every detector, with the defaults documented in docs/monitoring-detections.md.

The Django layer builds one ``DetectionSettings`` per organisation (defaults overridden by
the organisation's settings) and hands it to core; core never reads settings on its own.
"""

from dataclasses import dataclass, field, fields

# Windows and Entra logon types that mean "a person at a keyboard" rather than a service.
INTERACTIVE_LOGON_TYPES = (
    "interactive",
    "remote_interactive",
    "cached_interactive",
    "cached_remote_interactive",
    "unlock",
)


@dataclass(frozen=True)
class DetectionSettings:
    # Baselines: how much history is read, and when a person's habits count as learned.
    baseline_days: int = 60
    learning_days: int = 14
    learning_min_signins: int = 20
    # off_hours: a time slot (weekday and hour, widened by the tolerance) is usual when the
    # person signed in there at least this many times; before learning, opening hours decide.
    off_hours_min_count: int = 2
    off_hours_tolerance_hours: int = 1
    # Sign-ins made by software on a person's behalf (scheduled tasks, services, a phone
    # refreshing its mail token at night) say nothing about the person's hours.
    off_hours_ignored_logon_types: tuple[str, ...] = ("batch", "service", "non_interactive")
    opening_hours_grace_minutes: int = 30
    # impossible_travel: a speed no traveller reaches, above a distance geolocation noise explains.
    travel_max_speed_kmh: float = 900.0
    travel_min_distance_km: float = 300.0
    travel_lookback_hours: int = 24
    # brute_force: failures against one account, or from one source, within a short window.
    brute_force_failures: int = 10
    brute_force_window_minutes: int = 10
    # password_spray: failures across many distinct accounts from one source.
    spray_min_users: int = 8
    spray_window_minutes: int = 60
    spray_success_within_hours: int = 24
    # service_account_interactive: which logon types count as interactive.
    interactive_logon_types: tuple[str, ...] = INTERACTIVE_LOGON_TYPES
    # exfiltration, daily spike: bytes to one destination in one day against the host's usual day.
    exfil_baseline_days: int = 28
    exfil_daily_min_bytes: int = 1 * 1024**3
    exfil_daily_factor: float = 10.0
    # exfiltration, slow and steady: what adds up to one destination over several days.
    exfil_slow_days: int = 21
    exfil_slow_min_bytes: int = 2 * 1024**3
    exfil_slow_min_active_days: int = 5
    exfil_slow_factor: float = 5.0
    # Destinations inside these networks never count as exfiltration (RFC 1918, loopback, ULA).
    exfil_internal_prefixes: tuple[str, ...] = field(
        default=("10.", "192.168.", "127.", "169.254.", "fc", "fd", "fe80:", "::1")
        + tuple(f"172.{n}." for n in range(16, 32))
    )

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> "DetectionSettings":
        """Build settings from plain data, refusing names that are not settings."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown detection settings: {', '.join(unknown)}")
        converted: dict[str, object] = {}
        for name, value in values.items():
            converted[name] = tuple(value) if isinstance(value, list) else value
        return cls(**converted)  # type: ignore[arg-type]
