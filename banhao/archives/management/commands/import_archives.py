"""``banhao import_archives KIND FILE``: persons, enterprises or licences from CSV, all or nothing."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.archives import imports


class Command(BaseCommand):
    help = (
        "Import person or enterprise archives, or licences, from a UTF-8 CSV file. Every row is "
        "checked first; if any row has an error nothing is written and each error is printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(imports.COLUMNS))
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                result = imports.import_csv(actor=None, kind=options["kind"], stream=stream)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"line {error.line}: {' '.join(error.messages)}")
            raise CommandError(f"{len(result.errors)} rows have errors; nothing was imported.")
        self.stdout.write(
            f"{options['kind']}: {result.created} created, {result.updated} updated "
            f"({result.rows} rows)"
        )
