#!/usr/bin/env python
"""Same as the ``banhao`` console command, for those who expect manage.py."""

from banhao.cli import main

if __name__ == "__main__":
    main()
