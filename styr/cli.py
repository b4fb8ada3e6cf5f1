"""The `styr` command: Django's management commands with the project's names.

`styr load-model stockholm` runs the management command `load_model`; any Django
command works too (`styr migrate`, `styr runserver`).
"""

import os
import sys


def run_django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def main() -> None:
    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    run_django(argv)


if __name__ == "__main__":
    main()
