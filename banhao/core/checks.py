"""System checks of the ground floor."""

from django.core.checks import Error, register


@register()
def lean_statement_models(app_configs=None, **kwargs) -> list[Error]:
    """Lean statements (``banhao.core.rows``) bypass save(), the constructor's keyword path and
    signals: refuse every model registered for them that has its own save, __init__ or from_db,
    or receivers of its save, init or delete signals."""
    from . import rows

    errors = []
    for model in sorted(rows.registered(), key=lambda m: m._meta.label):
        if app_configs is not None and model._meta.app_config not in app_configs:
            continue
        found = rows.refusals(model)
        if found:
            errors.append(
                Error(
                    f"{model._meta.label} is used with lean statements but {', '.join(found)}.",
                    hint="Read and write it through the ORM, or drop what lean statements "
                    "would bypass (docs/adr/0011-lean-sql.md).",
                    obj=model,
                    id="banhao.E001",
                )
            )
    return errors
