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


def _engine(args):
    return engine_mod.get_engine(args.db)


def _viewer(args) -> policy.Viewer:
    if not args.role:
        return policy.MOST_RESTRICTED
    return policy.Viewer(username="cli", role=args.role, gm_code=getattr(args, "gemeente", None))


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
    print(f"{res.file_name}: {res.rows_read} rijen gelezen; {res.inserted} nieuw, {res.updated} bijgewerkt, "
          f"{res.unchanged} ongewijzigd (codering {res.encoding}, scheidingsteken {res.separator!r}).")
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
            print(users.list_users(eng).to_string(index=False))
            return 0
        if args.action in ("add", "reset-password"):
            password = args.password or getpass.getpass("Wachtwoord: ")
            if args.action == "add":
                users.add_user(eng, args.username, password, args.role, args.gemeente)
            else:
                users.reset_password(eng, args.username, password)
        elif args.action == "set-role":
            users.set_role(eng, args.username, args.role, args.gemeente)
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
    s.add_argument("--radius-km", type=float, default=60.0)
    s.set_defaults(func=cmd_published)

    s = sub.add_parser("summary", help="uitstroom van een jaar zoals Tabel 1 telt")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--json", action="store_true")
    s.add_argument("--radius-km", type=float, default=60.0)
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
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
