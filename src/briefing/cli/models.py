"""``briefing models``: the default and installed models, where they are, how to fetch them."""

from __future__ import annotations

import argparse

from .common import subcommand


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    models = subcommand(
        sub,
        "models",
        parents,
        help="list the default and installed models, where they are and how to fetch them",
        description="List the default models and every installed one: folder, size, "
        "engines, and the command that fetches a missing one.",
        examples=[
            "briefing models",
            "BRIEFING_MODELS_DIR=/data/models briefing models",
        ],
    )
    models.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..download import human_size
    from ..models import fetch_command, list_models, models_dir, models_dir_description

    print(f"models folder: {models_dir()} ({models_dir_description()})")
    statuses = list_models()
    for status in statuses:
        label = f"default {status.role}" if status.is_default and status.role else "installed"
        print(f"{status.name}  [{label}]")
        if status.installed and status.path is None:
            print("  built in: needs no model")
        elif status.installed:
            engines = ", ".join(status.engines) or "none (no weights found)"
            print(f"  {status.path}  {human_size(status.size_bytes)}  engines: {engines}")
        else:
            print(f"  missing: fetch it with  {status.fetch_command}")
    missing = [s.name for s in statuses if s.is_default and not s.installed]
    if len(missing) > 1:
        print(f"fetch every missing default:  {fetch_command(missing)}")
    return 0
