"""Who may reach the page: login from $BRIEFING_AUTH, warnings for open hosts."""

from __future__ import annotations

import ipaddress

from ..errors import ConfigError


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (from $BRIEFING_AUTH) to Gradio's auth tuple; empty means no auth."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("BRIEFING_AUTH must look like user:password (both non-empty)")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def security_warnings(host: str, share: bool, auth: tuple[str, str] | None) -> list[str]:
    """What the operator should hear before the page becomes reachable by others."""
    if auth:
        return []
    warnings = []
    if share:
        warnings.append(
            "--share makes the page public through a gradio.live link and no login is set: "
            "set BRIEFING_AUTH=user:password"
        )
    if not is_loopback(host):
        warnings.append(
            f"listening on {host}, reachable from other machines, and no login is set: "
            "set BRIEFING_AUTH=user:password or use --host 127.0.0.1"
        )
    return warnings
