"""Terugkeermonitor command line: the same jobs as the app, without the UI.

Usage: ``python cli.py [--db URL] COMMAND ...``; run ``python cli.py --help``.
Exit codes: 0 ok, 2 bad input (message in Dutch on stderr), 1 unexpected error.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path

from data_access import engine as engine_mod
from data_access import importers, policy, users
from data_access.setup import init_database, purge_demo
from metrics.formatting import fmt_int


def _engine(args):
    return engine_mod.get_engine(args.db)


def _positive_km(text: str) -> float:
    try:
        v = float(text.replace(",", "."))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"geen getal: {text!r}") from exc
    if not 0 < v <= 500:
        raise argparse.ArgumentTypeError("straal moet tussen 0 en 500 km liggen")
    return v


def _gm_code(engine, text: str | None) -> str | None:
    """A gemeente given as CBS code, name or alias -> CBS code (ValueError when unknown)."""
    if not text:
        return None
    from data_access.reference import ReferenceResolver

    with engine.connect() as conn:
        code = ReferenceResolver.from_db(conn).municipality(text)
    if code is None:
        raise ValueError(f"onbekende gemeente {text!r} (naam, schrijfwijze of CBS-code van regio Gooi en Vechtstreek)")
    return code


def _viewer(args) -> policy.Viewer:
    if not args.role:
        return policy.MOST_RESTRICTED
    return policy.Viewer(username="cli", role=args.role, gm_code=_gm_code(_engine(args), getattr(args, "gemeente", None)))


def cmd_init(args) -> int:
    today = date.fromisoformat(args.today) if args.today else None
    summary = init_database(_engine(args), sample=not args.no_sample, today=today)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_purge_demo(args) -> int:
    counts = purge_demo(_engine(args), username=args.user)
    print(f"Demogegevens verwijderd: {counts['detentions']} detenties, {counts['persons']} personen, "
          f"{counts['batches']} importbatches, {counts['demo_accounts']} demo-accounts.")
    return 0


def cmd_import(args) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"Bestand niet gevonden: {path}", file=sys.stderr)
        return 2
    if args.kind != "detentions":
        print(f"Onbekend importtype {args.kind!r}", file=sys.stderr)
        return 2
    try:
        res = importers.import_detentions(_engine(args), path.read_bytes(), path.name, username=args.user)
    except importers.ImportValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"{res.file_name}: {fmt_int(res.rows_read)} rijen gelezen; {fmt_int(res.inserted)} nieuw, {fmt_int(res.updated)} bijgewerkt, "
          f"{fmt_int(res.unchanged)} ongewijzigd (codering {res.encoding}, scheidingsteken {res.separator!r}).")
    for note in res.notes:
        print(note)
    return 0


def cmd_published(args) -> int:
    from services import core

    result = core.published_check(_engine(args), radius_km=args.radius_km)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"Plaatsing en duur bekend: {result.placed_known}")
        for c in result.inconsistencies:
            print(f"- {c['claim']}: {c['message']}")
    return 0


def cmd_summary(args) -> int:
    from services import core

    viewer = _viewer(args)
    out = core.year_summary(_engine(args), viewer, args.year, radius_km=args.radius_km)
    out["role"] = viewer.role
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.json else out)
    return 0


def cmd_users(args) -> int:
    eng = _engine(args)
    try:
        if args.action == "list":
            table = users.list_users(eng)
            print(table.to_string(index=False) if len(table) else "Geen gebruikers. Voeg er een toe: python cli.py users add NAAM --role beheer")
            return 0
        if not args.username:
            print(f"users {args.action}: geef een gebruikersnaam", file=sys.stderr)
            return 2
        gm = _gm_code(eng, args.gemeente)
        if args.action in ("add", "reset-password"):
            if not args.password and not sys.stdin.isatty():
                print("Geef --password, of voer de opdracht uit in een terminal om het wachtwoord in te typen.", file=sys.stderr)
                return 2
            password = args.password or getpass.getpass("Wachtwoord: ")
            if args.action == "add":
                if not args.role:
                    print("users add: geef --role", file=sys.stderr)
                    return 2
                users.add_user(eng, args.username, password, args.role, gm)
            else:
                users.reset_password(eng, args.username, password)
        elif args.action == "set-role":
            users.set_role(eng, args.username, args.role, gm)
        elif args.action in ("disable", "enable"):
            users.set_active(eng, args.username, args.action == "enable")
    except users.UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print("Gereed.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cli.py", description="Terugkeermonitor: beheer en rapportage zonder de app")
    p.add_argument("--db", help="SQLAlchemy-URL van de database (standaard: instelling TKM_DATABASE_URL of data/terugkeermonitor.duckdb)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="schema, referentiegegevens en (tenzij --no-sample) synthetische voorbeeldgegevens")
    s.add_argument("--no-sample", action="store_true", help="geen synthetische gegevens en geen demo-accounts")
    s.add_argument("--today", help="peildatum voor de voorbeeldgegevens (jjjj-mm-dd), standaard vandaag")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("import", help="een bestand importeren")
    s.add_argument("kind", choices=["detentions"], help="soort bestand")
    s.add_argument("file")
    s.add_argument("--user", default="cli", help="naam voor het auditlog")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("purge-demo", help="synthetische demogegevens en demo-accounts verwijderen (vóór echte import)")
    s.add_argument("--user", default="cli", help="naam voor het auditlog")
    s.set_defaults(func=cmd_purge_demo)

    s = sub.add_parser("published", help="controle van de gepubliceerde cijfers (Tabel 1)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--radius-km", type=_positive_km, default=60.0)
    s.set_defaults(func=cmd_published)

    s = sub.add_parser("summary", help="uitstroom van een jaar zoals Tabel 1 telt")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--json", action="store_true")
    s.add_argument("--radius-km", type=_positive_km, default=60.0)
    s.add_argument("--role", choices=list(policy.ROLES), help="rol; zonder deze optie geldt de meest beperkte (bestuur)")
    s.add_argument("--gemeente", help="CBS-code bij --role gemeente")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("users", help="gebruikersbeheer (lokale accounts)")
    s.add_argument("action", choices=["list", "add", "set-role", "reset-password", "disable", "enable"])
    s.add_argument("username", nargs="?")
    s.add_argument("--role", choices=list(policy.ROLES))
    s.add_argument("--gemeente")
    s.add_argument("--password", help="anders wordt erom gevraagd")
    s.set_defaults(func=cmd_users)
    return p


def _check_initialised(args) -> str | None:
    import sqlalchemy as sa

    if args.command == "init":
        return None
    if not sa.inspect(_engine(args)).has_table("detention"):
        return "De database is nog niet ingericht. Voer eerst uit: python cli.py init (of init --no-sample)."
    return None


def main(argv: list[str] | None = None) -> int:
    import sqlalchemy as sa

    args = build_parser().parse_args(argv)
    try:
        problem = _check_initialised(args)
        if problem:
            print(problem, file=sys.stderr)
            return 2
        return args.func(args)
    except sa.exc.OperationalError as exc:
        if "lock" in str(exc).lower():
            print("De database is in gebruik door een ander proces (draait de app?). DuckDB staat één schrijvend proces "
                  "toe: stop de app en probeer opnieuw, of gebruik PostgreSQL voor meerdere processen.", file=sys.stderr)
            return 2
        raise
    except policy.AccessDenied as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    finally:
        engine_mod.dispose_all()


if __name__ == "__main__":
    sys.exit(main())
