"""The ``banhao`` console command: Django management with the embedded settings by default."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banhao.settings.embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["banhao", *sys.argv[1:]])


if __name__ == "__main__":
    main()
