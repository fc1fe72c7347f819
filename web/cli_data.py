"""CLI commands for plan data: ``flask --app wsgi import-plan FILE``, ``seed-demo`` and ``seed-large``.

The demo and large data themselves are made by :mod:`devdata` (never in production).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from devdata.demo import DEMO_PASSWORD, seed_demo_data
from web.extensions import db
from workflow.db import unit_of_work
from workflow.importing import (
    SHEET_ROLES,
    ImportOptions,
    ImportPreview,
    PlanImportError,
    import_plan_file,
)
from workflow.importing.mapping import read_mapping
from workflow.models import Plan
from workflow.passwords import MIN_PASSWORD_LENGTH

_MAPPING_SOURCES = {
    "given": "zadané v příkazu",
    "saved": "uložené s plánem při jeho minulém importu",
    "recognised": "rozpoznané podle záhlaví",
}


def _print_sheets_and_columns(result: ImportPreview) -> None:
    """Every sheet with its role and every column with its field: nothing is left out unsaid."""
    click.echo(f"  Mapování sloupců: {_MAPPING_SOURCES.get(result.mapping_source, result.mapping_source)}.")
    named = [info for info in result.sheets if info.title]
    if named:
        click.echo(f"  Listy sešitu ({len(named)}):")
        for info in named:
            click.echo(f"    „{info.title}“: {SHEET_ROLES[info.role]} ({info.reason}; {info.rows} řádků)")
    if result.columns:
        sheet = f" listu „{result.sheet}“" if result.sheet else ""
        click.echo(f"  Sloupce{sheet}:")
        for column in result.columns:
            click.echo(f"    „{column.header}“ → {column.target_label}")
    for title, columns in result.level_columns.items():
        click.echo(f"  Sloupce listu „{title}“ (popisy úrovní):")
        for column in columns:
            click.echo(f"    „{column.header}“ → {column.target_label}")


def level_counts(result: ImportPreview) -> str:
    """``"Okruh: 5, Cíl: 8, Aktivita: 72"``: the nodes per level and the activities of an import."""
    names = result.level_names or ["Aktivita"]
    parts = [f"{name}: {count}" for name, count in zip(names[:-1], result.nodes_per_level, strict=False)]
    return ", ".join([*parts, f"{names[-1]}: {result.total}"])


def _print_summary(result: ImportPreview, *, dry_run: bool) -> None:
    plan_id = f" (id {result.plan_id})" if result.plan_id else ""
    target = f"{'nový plán' if result.is_new_plan else 'plán'} „{result.plan_title}“{plan_id}"
    click.echo(f"{'Zkušební import' if dry_run else 'Import'} souboru {result.filename} → {target}")
    _print_sheets_and_columns(result)
    click.echo(f"  {level_counts(result)}")
    if dry_run:
        click.echo(
            f"  Nových aktivit: {result.created}, změněných: {result.updated}, "
            f"beze změny: {result.unchanged}."
        )
    else:
        click.echo(
            f"  Import vytvořil {result.created} aktivit, změnil {result.updated}, "
            f"beze změny {result.unchanged}."
        )
    if result.history_round_title:
        click.echo(f"  Minulé kolo „{result.history_round_title}“: {result.history_texts} textů „Plnění“.")
    if result.routing_review:
        click.echo(
            f"  K revizi – přiřazeno výchozímu subjektu {result.default_body} "
            f"({len(result.routing_review)}): " + ", ".join(result.routing_review)
        )
    if result.unmatched:
        click.echo(f"  Nerozpoznané subjekty v „Odpovědnost“ ({len(result.unmatched)}):")
        for code, token in result.unmatched:
            click.echo(f"    {code}: „{token}“")
    if result.warnings:
        click.echo(f"  Upozornění ({len(result.warnings)}):")
        for warning in result.warnings:
            click.echo(f"    {warning}")


def _target_plan(plan_id: int | None, new_plan: bool, title: str | None, period: str | None) -> Plan | None:
    """The plan to update (``--plan-id``), or ``None`` for ``--new-plan`` (title and period required).

    :raises click.UsageError: no target, both targets, a missing title or period, an unknown id.
    """
    if (plan_id is None) == (not new_plan):
        raise click.UsageError(
            "Zvolte cíl importu: --plan-id N (aktualizovat plán N), nebo --new-plan s --title a --period "
            "(nový plán)."
        )
    if new_plan:
        if not (title or "").strip() or not (period or "").strip():
            raise click.UsageError("Nový plán (--new-plan) potřebuje název (--title) a období (--period).")
        return None
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.UsageError(f"Plán s id {plan_id} neexistuje.")
    return plan


@click.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan-id", type=int, help="Cíl importu: aktualizovat plán s tímto id.")
@click.option("--new-plan", is_flag=True, help="Cíl importu: nový plán (povinně s --title a --period).")
@click.option(
    "--mapping",
    help='Mapování sloupců: "Číslo aktivity=Kód aktivity,Název aktivity=Název,…" nebo soubor mapping.json '
    '({"sloupec": "pole"} nebo {"columns": {…}, "sheets": {…}}). Pole česky, jak je ukazuje web '
    "(Kód aktivity, Název, Popis aktivity, Termín plnění, Odpovědnost, Ponechat jako atribut, "
    "(ignorovat) …), nebo anglicky (code, title, description, deadline, responsibility, extra, "
    'ignore …); sloupec jiného listu jako "List!Sloupec". Bez --mapping platí mapování uložené '
    "s plánem při jeho minulém importu.",
)
@click.option(
    "--sheet",
    "sheet_roles",
    multiple=True,
    help='Role listu sešitu: "Specifické cíle=Popisy úrovní" (role: Aktivity, Popisy úrovní, Zkratky, '
    "Nepoužít); lze opakovat.",
)
@click.option("--dry-run", is_flag=True, help="Jen ověřit a ukázat, co by se stalo; nic neuložit.")
@click.option("--title", help="Název plánu (u nového plánu povinný).")
@click.option("--strategy", help="Strategie, ke které plán patří.")
@click.option("--period", help="Období plánu, např. 2024–2025 (u nového plánu povinné).")
@click.option(
    "--levels",
    help='Názvy úrovní plánu, úroveň aktivit poslední (1–5 názvů), např. "Oblast,Cíl,Karta" nebo '
    '"Aktivita" pro prostý seznam; bez nich se počet úrovní čte ze souboru.',
)
@click.option("--default-body", default="OSV", show_default=True, help="Zkratka výchozího subjektu.")
def import_plan(
    file: Path,
    plan_id: int | None,
    new_plan: bool,
    mapping: str | None,
    sheet_roles: tuple[str, ...],
    dry_run: bool,
    title: str | None,
    strategy: str | None,
    period: str | None,
    levels: str | None,
    default_body: str,
) -> None:
    """Import an action plan from FILE (XLSX, CSV or JSON) into a new plan or plan N; print a Czech
    summary listing every sheet and column with what the import does with it."""
    try:
        column_mapping, sheets = read_mapping(mapping) if mapping else (None, None)
        for pair in sheet_roles:
            sheet, _sep, role = pair.rpartition("=")
            if not sheet.strip() or not role.strip():
                raise ValueError(f"Role listu „{pair}“ nemá tvar „List=role“.")
            sheets = {**(sheets or {}), sheet.strip(): role.strip()}
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    level_names = [name.strip() for name in levels.split(",")] if levels else None
    if level_names is not None and (not 1 <= len(level_names) <= 5 or not all(level_names)):
        raise click.UsageError(
            "--levels musí obsahovat 1 až 5 neprázdných názvů oddělených čárkou (úroveň aktivit poslední)."
        )
    plan = _target_plan(plan_id, new_plan, title, period)
    options = ImportOptions(
        title=title, strategy=strategy, period=period, level_names=level_names, default_body=default_body
    )
    try:
        with unit_of_work(dry_run=dry_run):
            result = import_plan_file(
                file, mapping=column_mapping, options=options, plan=plan, dry_run=dry_run, sheets=sheets
            )
    except PlanImportError as exc:
        click.echo(f"Soubor {file.name} nelze importovat, nic nebylo uloženo:", err=True)
        for issue in exc.issues:
            click.echo(f"  {issue}", err=True)
        raise SystemExit(1) from None
    _print_summary(result, dry_run=dry_run)
    if dry_run:
        click.echo("Zkušební běh: nic nebylo uloženo.")
    elif result.plan_import is not None:
        click.echo(
            f"  Změněných záznamů: {result.changes}; import je v historii importů plánu "
            f"(č. {result.plan_import.id}), odkud jej lze vrátit."
        )


@click.command("seed-demo")
@click.option(
    "--password",
    default=DEMO_PASSWORD,
    show_default=True,
    help=f"Heslo všech demo účtů (alespoň {MIN_PASSWORD_LENGTH} znaků).",
)
def seed_demo(password: str) -> None:
    """Load the real plan from data/, the bodies and a demo account per role and body (not in production)."""
    if current_app.config.get("PLNENI_ENV") == "production":
        click.echo("seed-demo nelze spustit v produkčním prostředí (PLNENI_ENV=production).", err=True)
        raise SystemExit(1)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"Heslo musí mít alespoň {MIN_PASSWORD_LENGTH} znaků.")
    try:
        with unit_of_work():
            result, accounts, created_bodies, new_users = seed_demo_data(password)
    except PlanImportError as exc:
        click.echo("Demo plán nelze importovat:", err=True)
        for issue in exc.issues:
            click.echo(f"  {issue}", err=True)
        raise SystemExit(1) from None
    assert result.plan is not None

    click.echo(
        f"Demo data připravena: plán „{result.plan.title}“ (id {result.plan.id}) – {level_counts(result)}; "
        f"nových subjektů {created_bodies}, "
        f"nových účtů {new_users}."
    )
    click.echo(f"Heslo všech demo účtů: {password}")
    width = max(len(email) for email, _, _ in accounts)
    click.echo(f"{'Přihlašovací e-mail'.ljust(width)}  {'Role'.ljust(12)}  Subjekt")
    for email, role_name, body_name in accounts:
        click.echo(f"{email.ljust(width)}  {role_name.ljust(12)}  {body_name}")


@click.command("seed-large")
@click.option(
    "--profile",
    "profile_name",
    type=click.Choice(["velky", "stredni", "kraj"]),
    default="velky",
    show_default=True,
    help="velky: 20 plánů, 2 000 aktivit, 150 subjektů, 1 000 uživatelů, 10 let historie; "
    "kraj: skutečný plán se subjekty a otevřeným kolem.",
)
@click.option("--scale", type=int, help="Místo profilu: hlavní plán s N aktivitami (jako testy dotazů).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Semínko náhodného generátoru.")
def seed_large(profile_name: str, scale: int | None, seed: int) -> None:
    """Fill the database with a large instance for benchmarks (not in production)."""
    import dataclasses
    import time

    from devdata.largedata import LARGE_PASSWORD, PROFILES, analyze, generate, scaled, seed_kraj

    if current_app.config.get("PLNENI_ENV") == "production":
        click.echo("seed-large nelze spustit v produkčním prostředí (PLNENI_ENV=production).", err=True)
        raise SystemExit(1)
    started = time.perf_counter()
    if profile_name == "kraj" and scale is None:
        outcome = seed_kraj()
        analyze()
        click.echo(
            f"Profil kraj: plán {outcome['plan_id']}, otevřené kolo {outcome['open_round_id']} "
            f"({outcome['entries']} záznamů), {len(outcome['accounts'])} účtů, "
            f"{time.perf_counter() - started:.1f} s."
        )
        return
    profile = scaled(scale, seed=seed) if scale else dataclasses.replace(PROFILES[profile_name], seed=seed)
    try:
        with unit_of_work():
            result = generate(profile)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    analyze()
    click.echo(f"Profil {profile.name}: {time.perf_counter() - started:.1f} s")
    for table, count in sorted(result.counts.items()):
        click.echo(f"  {table}: {count}")
    click.echo(f"  hlavní plán {result.main_plan_id}, otevřené kolo {result.open_round_id}")
    click.echo(f"Heslo všech účtů: {LARGE_PASSWORD}")
    for role, email in result.accounts.items():
        click.echo(f"  {role}: {email}")


def register(app: Flask) -> None:
    """Add the data commands (``import-plan``, ``seed-demo``, ``seed-large``) to ``app.cli``."""
    for command in (import_plan, seed_demo, seed_large):
        app.cli.add_command(command)
