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
from data_access import audit, import_templates, importers, policy, users
from data_access.import_formats import FORMATS, get_format
from services import export
from data_access.setup import init_database, purge_demo
from metrics.formatting import fmt_int, fmt_num, fmt_pct


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
    try:
        get_format(args.kind)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    progress = None
    if args.progress:
        progress = lambda f, t: print(f"[{f * 100:3.0f}%] {t}", file=sys.stderr)  # noqa: E731
    try:
        res = importers.import_file(_engine(args), args.kind, path.read_bytes(), path.name, username=args.user,
                                    sheet=args.sheet, progress=progress)
    except importers.ImportValidationError as exc:
        print(str(exc), file=sys.stderr)
        if args.report:
            Path(args.report).write_bytes(export.to_csv_bytes(exc.problems_frame()))
            print(f"Foutenrapport geschreven naar {args.report}", file=sys.stderr)
        if args.json:
            print(json.dumps({"status": "geweigerd", "file": path.name, "kind": get_format(args.kind).code,
                              "problems": [dict(row=p.row, column=p.column, value=p.value, reason=p.reason) for p in exc.problems]},
                             ensure_ascii=False, indent=2))
        return 2
    if args.json:
        print(json.dumps({"status": "geimporteerd", "file": res.file_name, "kind": res.kind, "batch_id": res.batch_id,
                          "rows_read": res.rows_read, "inserted": res.inserted, "updated": res.updated,
                          "unchanged": res.unchanged, "duplicates": res.duplicates, "tables": res.details,
                          "notes": res.notes}, ensure_ascii=False, indent=2))
        return 0
    where = f"Excel, tabblad {res.sheet!r}" if res.encoding == "xlsx" else f"codering {res.encoding}, scheidingsteken {res.separator!r}"
    print(f"{res.file_name}: {fmt_int(res.rows_read)} {'rij' if res.rows_read == 1 else 'rijen'} gelezen; {fmt_int(res.inserted)} nieuw, {fmt_int(res.updated)} bijgewerkt, "
          f"{fmt_int(res.unchanged)} ongewijzigd ({where}).")
    tables_nl = {"person": "personen", "notification": "meldingen", "detention": "detenties", "pi_visit_contact": "gesproken gedetineerden"}
    for table, c in res.details.items():
        if table in tables_nl and (c["inserted"] or c["updated"]):
            print(f"  {tables_nl[table]}: {fmt_int(c['inserted'])} nieuw, {fmt_int(c['updated'])} bijgewerkt")
    for note in res.notes:
        print(note)
    return 0


def cmd_journey(args) -> int:
    from services import journey
    from data_access.settings import reference_date

    viewer = _viewer(args)
    gm = _gm_code(_engine(args), args.gemeente) if args.gemeente else None
    out = journey.journey_summary(_engine(args), viewer, args.year, reference_date(), (gm,) if gm else None)
    out["role"] = viewer.role
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for s in out["steps"]:
            share = fmt_pct(s["share"])
            cnt = lambda v: "<5" if v is None else fmt_int(v)  # noqa: E731
            print(f"{s['label']:40} {share:>7}  ({cnt(s['count'])} van {cnt(s['denominator'])})")
    return 0


def cmd_effects(args) -> int:
    from data_access.settings import reference_date
    from services import outcomes

    def progress(done: int, total: int) -> None:
        if args.progress:
            print(f"interventie {done} van {total} geschat", file=sys.stderr, flush=True)

    out = outcomes.effects_json(outcomes.effect_estimates(_engine(args), reference_date(), n_boot=args.bootstrap, progress=progress))
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    pct = lambda v: "–" if v is None else f"{100 * v:+.1f}".replace(".", ",")  # noqa: E731
    print(f"Effect op recidive binnen twee jaar (procentpunt; negatief = minder recidive); {fmt_int(out['population'])} vrijlatingen.")
    for r in out["interventions"]:
        if r["adjusted_effect"] is None:
            print(f"{r['label']:42} geen schatting: {r['refused']}")
        else:
            lo, hi = r["adjusted_ci"]
            print(f"{r['label']:42} gecorrigeerd {pct(r['adjusted_effect'])} ({pct(lo)} tot {pct(hi)}); ruw {pct(r['raw_effect'])}; "
                  f"{fmt_int(r['n_treated'])} met, {fmt_int(r['n_control'])} zonder")
    return 0


def cmd_analyses(args) -> int:
    """Compute and store the stored analyses (intervention effects, risk model card) for the current
    data version (services.outcomes.refresh_analyses), so the first visitor does not wait; e.g. nightly
    after the import. Prints the seconds per analysis (or why there is none); JSON with ``--json``."""
    from data_access.settings import reference_date
    from services import outcomes

    def progress(step: str) -> None:
        print(f"bezig: {step}", file=sys.stderr, flush=True)

    res = outcomes.refresh_analyses(_engine(args), reference_date(), progress=progress)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    names = {"effects": "Effecten van interventies", "model_card": "Risicomodel (modelkaart)"}
    for kind, v in res.items():
        print(f"{names[kind]:28} {v['status']} ({fmt_num(v['seconds'], 1)} s)" + (f": {v['reason']}" if v["reason"] else ""))
    return 0


PRIORITY_CHOICES = {"gelijk": "Gelijk", "veiligheid": "Veiligheid (Top X en hoog risico)",
                    "bestaanszekerheid": "Bestaanszekerheid (problemen bij intake)", "lang": "Lange detenties eerst",
                    "kort": "Korte detenties eerst"}


def _scenario_args(args) -> dict:
    """What-if inputs from the command line (the same inputs as the Capaciteit page)."""
    return {"name": args.name, "staff_hours_per_week": args.hours_per_week, "minutes_per_conversation": args.minutes,
            "hours_per_visit": args.hours_per_visit, "road_factor": args.road_factor, "speed_kmh": args.speed,
            "max_radius_km": args.radius_km, "min_detainees_per_visit": args.min_per_visit,
            "bands_visited": [b.strip() for b in args.bands.split(",") if b.strip()],
            "target_groups": [g.strip() for g in args.groups.split(",") if g.strip()],
            "share_short_to_local_team": args.local_team_share, "share_complete_sheets": args.sheet_share,
            "weeks": args.weeks or (52 if args.year else 13)}


def cmd_whatif(args) -> int:
    from data_access.settings import reference_date
    from services import outcomes, planning

    eng, today = _engine(args), reference_date()
    try:
        scenario = planning.scenario_from_params(_scenario_args(args))
    except ValueError as exc:
        print(f"Ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    if not scenario.bands_visited:
        print("Ongeldige invoer: kies minstens één duurklasse (--bands kort,middel,lang)", file=sys.stderr)
        return 2
    if args.year is not None and args.year not in planning.admission_years(eng):
        print(f"Geen detenties met aanvang in {args.year}: kies een ander jaar of laat --year weg (wie nu in detentie is).",
              file=sys.stderr)
        return 2
    card = planning.safe_card(eng, today)
    effect = None if args.no_effect else planning.visit_effect(outcomes.effect_estimates(eng, today, n_boot=args.bootstrap)["estimates"])
    frame = planning.whatif_frame(eng, today, args.year, card)
    result = planning.evaluate(frame, scenario, effect)
    out = planning.whatif_json(result, scenario, str(args.year) if args.year else "nu", effect)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    from metrics.whatif import SUMMARY_LABELS

    for key, label in SUMMARY_LABELS.items():
        v = out["result"][key]
        text = fmt_pct(v) if key.startswith("share") else "–" if v is None else fmt_num(v, 1 if isinstance(v, float) else 0)
        print(f"{label:45} {text}")
    return 0


def cmd_plan_visits(args) -> int:
    from datetime import timedelta

    from data_access.reference import default_origin
    from data_access.settings import reference_date
    from metrics import visit_planner, visit_priority
    from services import planning

    eng, today = _engine(args), reference_date()
    viewer = _viewer(args)
    start = date.fromisoformat(args.start) if args.start else today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    days = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4}
    try:
        weekdays = tuple(sorted(days[d.strip().lower()[:2]] for d in args.days.split(",") if d.strip()))
        weights = visit_priority.PRESETS[PRIORITY_CHOICES[args.priority]]
        origin = default_origin()
        config = visit_planner.PlannerConfig(start=start - timedelta(days=start.weekday()), origin_lat=origin.lat, origin_lon=origin.lon,
                                             weeks=args.weeks, weekdays=weekdays, hours_per_day=args.hours_per_day,
                                             minutes_per_conversation=args.minutes, max_radius_km=args.radius_km,
                                             teams_per_day=args.teams, time_limit_seconds=args.time_limit)
    except (KeyError, ValueError) as exc:
        print(f"Ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    try:
        res = planning.plan(eng, viewer, today, config, weights, planning.safe_card(eng, today))
    except policy.AccessDenied as exc:
        print(f"{exc}. Gebruik --role zvh.", file=sys.stderr)
        return 2
    out = planning.plan_json(res, config)
    if args.ical:
        Path(args.ical).write_text(visit_planner.plan_to_ical(res.plan), encoding="utf-8")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    p, g = out["plan"], out["greedy"]
    print(f"Geoptimaliseerd: {fmt_int(p['reached'])} gesproken, gewicht {fmt_num(p['reached_weight'], 1)}, "
          f"{fmt_num(p['travel_hours'], 1)} reisuren ({p['solver_status']}, {fmt_num(p['solve_seconds'], 1)} s)")
    print(f"Eenvoudig:       {fmt_int(g['reached'])} gesproken, gewicht {fmt_num(g['reached_weight'], 1)}, "
          f"{fmt_num(g['travel_hours'], 1)} reisuren")
    for t in out["trips"]:
        print(f"{t['date']}  team {t['team']}  {t['route']}  ({fmt_int(t['conversations'])} gesprekken, {fmt_int(t['travel_minutes'])} min reistijd)")
    for reason, n in out["unreachable_by_reason"].items():
        print(f"niet bereikbaar: {reason}: {fmt_int(n)}")
    return 0


def cmd_formats(args) -> int:
    if args.markdown:
        print(import_templates.formats_markdown())
        return 0
    for f in FORMATS.values():
        print(f"{f.code:20} {f.dutch:18} {f.label}")
    return 0


def cmd_template(args) -> int:
    if not args.out.lower().endswith((".csv", ".xlsx")):
        print(f"Kies een bestandsnaam die eindigt op .csv of .xlsx (niet {args.out!r}).", file=sys.stderr)
        return 2
    data = import_templates.template_xlsx(args.kind) if args.out.lower().endswith(".xlsx") else import_templates.template_csv(args.kind)
    Path(args.out).write_bytes(data)
    print(f"Sjabloon voor {get_format(args.kind).label} geschreven naar {args.out}")
    return 0


def cmd_batches(args) -> int:
    from data_access import queries

    frame = queries.import_batches(_engine(args), limit=args.limit)
    if args.json:
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
    else:
        print(frame.to_string(index=False))
    return 0


def cmd_rollback(args) -> int:
    from data_access.import_store import RollbackRefused

    try:
        res = importers.rollback_batch(_engine(args), args.batch_id, args.user)
    except RollbackRefused as exc:
        print(f"Terugdraaien geweigerd: {exc}", file=sys.stderr)
        return 2
    print(f"Batch {args.batch_id} teruggedraaid: {fmt_int(res['deleted'])} rijen verwijderd, {fmt_int(res['restored'])} rijen hersteld.")
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


def cmd_report(args) -> int:
    """The meeting report (PDF or Excel) of a quarter; a stable contract for cron jobs."""
    import os

    from data_access.settings import reference_date
    from services import kpis, report

    eng, today = _engine(args), reference_date()
    out = Path(args.out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK) or out.is_dir():
        print(f"Kan niet schrijven naar {out}: de map bestaat niet, is niet schrijfbaar of het pad is een map.", file=sys.stderr)
        return 2
    if out.suffix.lower() != f".{args.format}":
        print(f"De bestandsnaam {out.name} past niet bij --format {args.format}: gebruik de extensie .{args.format}.", file=sys.stderr)
        return 2
    period = (args.period or kpis.period_of(today)).strip().upper()
    periods = kpis.available_periods(eng, today)
    if periods and len(period) == 6 and period < periods[-1]:  # before the first quarter with data
        print(f"Ongeldige invoer: geen gegevens voor {period}; kies een kwartaal van {periods[-1]} t/m "
              f"{kpis.period_of(today)}.", file=sys.stderr)
        return 2
    viewer = _viewer(args)
    try:
        selection = [_gm_code(eng, g.strip()) for g in args.gemeenten.split(",") if g.strip()] if args.gemeenten else None
        rep = report.build_report(eng, viewer, period, selection, today)
    except ValueError as exc:
        print(f"Ongeldige invoer: {exc}", file=sys.stderr)
        return 2
    data = report.to_pdf(rep) if args.format == "pdf" else report.to_xlsx(rep)
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"Kan niet schrijven naar {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    audit.log_event(eng, viewer.username, viewer.role, "export", f"kpi-rapport_{rep.board.period}",
                    {"format": args.format, "via": "cli", "file": out.name})
    print(f"Rapportage {rep.board.period} ({args.format.upper()}) geschreven naar {out}")
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


def cmd_db_upgrade(args) -> int:
    """Bring the schema of the database (``--url``, else ``--db``/TKM_DATABASE_URL) to the newest migration."""
    from data_access.setup import upgrade_database

    res = upgrade_database(engine_mod.get_engine(args.url or args.db))
    if res["stamped"]:
        from data_access.migrate import FIRST_REVISION

        print("Database van vóór de migraties overgenomen: ontbrekende tabellen gemaakt, gemarkeerd als "
              f"schemaversie {FIRST_REVISION}.")
        res = {**res, "from": FIRST_REVISION}
    if res["from"] == res["to"]:
        print(f"Database is al bijgewerkt (schemaversie {res['to']}).")
    else:
        print(f"Database bijgewerkt van schemaversie {res['from'] or '(geen)'} naar {res['to']}.")
    return 0


def cmd_copy_db(args) -> int:
    """Copy every table of ``--from`` into ``--to`` (see :mod:`data_access.copy_db`); prints the row counts."""
    from data_access import copy_db

    counts = copy_db.copy_database(args.source, args.target, replace=args.replace)
    width = max(len(t) for t in counts)
    for table, n in counts.items():
        print(f"{table:<{width}}  {fmt_int(n):>10}")
    print(f"Gekopieerd: {fmt_int(sum(counts.values()))} rijen in {len(counts)} tabellen.")
    return 0


def cmd_bench(args) -> int:
    """Scale benchmark (issue 10): generate, import and time every page; see benchmarks/bench_scale.py."""
    from benchmarks import bench_scale

    bench_scale.main_args(args)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cli.py", description="Terugkeermonitor: beheer en rapportage zonder de app")
    p.add_argument("--db", help="SQLAlchemy-URL van de database (standaard: instelling TKM_DATABASE_URL of data/terugkeermonitor.duckdb)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="schema, referentiegegevens en (tenzij --no-sample) synthetische voorbeeldgegevens")
    s.add_argument("--no-sample", action="store_true", help="geen synthetische gegevens en geen demo-accounts")
    s.add_argument("--today", help="peildatum voor de voorbeeldgegevens (jjjj-mm-dd), standaard vandaag")
    s.set_defaults(func=cmd_init)

    kinds = [f.code for f in FORMATS.values()] + [f.dutch for f in FORMATS.values()]
    s = sub.add_parser("import", help="een bestand importeren (alles of niets); exitcode 2 bij een geweigerd bestand")
    s.add_argument("kind", choices=kinds, metavar="KIND", help="soort bestand: " + ", ".join(f.code for f in FORMATS.values()))
    s.add_argument("file")
    s.add_argument("--sheet", help="tabblad van een Excel-bestand (standaard het eerste)")
    s.add_argument("--user", default="cli", help="naam voor het auditlog")
    s.add_argument("--json", action="store_true", help="resultaat of foutenlijst als JSON op stdout")
    s.add_argument("--report", help="bij fouten: schrijf het foutenrapport (CSV) naar dit bestand")
    s.add_argument("--progress", action="store_true", help="voortgang op stderr")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("db-upgrade", help="databaseschema bijwerken naar de nieuwste versie (migraties)")
    s.add_argument("--url", help="SQLAlchemy-URL van de database (standaard --db of TKM_DATABASE_URL)")
    s.set_defaults(func=cmd_db_upgrade)

    s = sub.add_parser("copy-db", help="hele database kopiëren, bijv. het DuckDB-bestand naar PostgreSQL")
    s.add_argument("--from", dest="source", required=True, help="URL van de bron, bijv. duckdb:///data/terugkeermonitor.duckdb")
    s.add_argument("--to", dest="target", required=True, help="URL van het doel, bijv. postgresql+psycopg://user@host/db")
    s.add_argument("--replace", action="store_true", help="inhoud van een niet-lege doeldatabase vervangen")
    s.set_defaults(func=cmd_copy_db)

    s = sub.add_parser("formats", help="de importformaten (met --markdown: de documentatie)")
    s.add_argument("--markdown", action="store_true")
    s.set_defaults(func=cmd_formats)

    s = sub.add_parser("template", help="een sjabloon (CSV of .xlsx) voor een importformaat")
    s.add_argument("kind", choices=kinds, metavar="KIND")
    s.add_argument("--out", required=True, help="bestandsnaam; eindigt op .xlsx voor Excel, anders CSV")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("batches", help="importgeschiedenis")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_batches)

    s = sub.add_parser("rollback", help="de laatste import terugdraaien")
    s.add_argument("batch_id", type=int)
    s.add_argument("--user", default="cli", help="naam voor het auditlog")
    s.set_defaults(func=cmd_rollback)

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

    s = sub.add_parser("journey", help="klantreis van de detenties met aanvang in een jaar, en de grootste eigenaarschapsgaten")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--json", action="store_true")
    s.add_argument("--role", choices=list(policy.ROLES), help="rol; zonder deze optie geldt de meest beperkte (bestuur)")
    s.add_argument("--gemeente", help="alleen deze gemeente (naam of CBS-code)")
    s.set_defaults(func=cmd_journey)

    s = sub.add_parser("effects", help="effect per interventie op recidive binnen twee jaar (ruw en gecorrigeerd, met interval)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--bootstrap", type=int, default=200, help="aantal bootstrap-herhalingen (standaard 200)")
    s.add_argument("--progress", action="store_true", help="voortgang naar stderr")
    s.set_defaults(func=cmd_effects)

    s = sub.add_parser("analyses", help="effecten en risicomodel vooraf berekenen en opslaan voor de huidige gegevens "
                                        "(bijv. 's nachts na de import)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_analyses)

    s = sub.add_parser("whatif", help="capaciteit: wat als (dezelfde invoer als de pagina Capaciteit)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--year", type=int, help="instroom van dit jaar; zonder: wie nu in detentie is (13 weken)")
    s.add_argument("--name", default="Scenario")
    s.add_argument("--hours-per-week", type=float, default=16.0, help="uren per week voor bezoeken, incl. reistijd")
    s.add_argument("--minutes", type=float, default=45.0, help="minuten per gesprek")
    s.add_argument("--hours-per-visit", type=float, default=8.0, help="uren per bezoekdag")
    s.add_argument("--road-factor", type=float, default=1.3)
    s.add_argument("--speed", type=float, default=70.0, help="gemiddelde snelheid, km/u")
    s.add_argument("--radius-km", type=float, default=60.0)
    s.add_argument("--min-per-visit", type=int, default=1)
    s.add_argument("--bands", default="kort,middel,lang", help="duurklassen die bezocht worden (kort,middel,lang)")
    s.add_argument("--groups", default="all", help="doelgroepen: all, top_x, risk:hoog, risk:midden (komma's)")
    s.add_argument("--local-team-share", type=float, default=0.3, help="aandeel kort verblijf naar lokale teams (0-1)")
    s.add_argument("--sheet-share", type=float, default=0.7, help="aandeel volledige informatiebladen (0-1)")
    s.add_argument("--weeks", type=int, help="lengte van de periode (standaard 52 bij --year, anders 13)")
    s.add_argument("--no-effect", action="store_true", help="geen effectschatting (sneller; recidive-velden leeg)")
    s.add_argument("--bootstrap", type=int, default=200)
    s.set_defaults(func=cmd_whatif)

    s = sub.add_parser("plan-visits", help="PI-bezoeken plannen voor wie nu in detentie is (casusniveau: --role zvh)")
    s.add_argument("--weeks", type=int, default=4)
    s.add_argument("--json", action="store_true")
    s.add_argument("--start", help="eerste week (datum; standaard de komende maandag)")
    s.add_argument("--days", default="di,do", help="bezoekdagen, bijvoorbeeld di,do")
    s.add_argument("--teams", type=int, default=1, help="medewerkers per bezoekdag")
    s.add_argument("--hours-per-day", type=float, default=8.0)
    s.add_argument("--minutes", type=int, default=45)
    s.add_argument("--radius-km", type=float, default=60.0)
    s.add_argument("--time-limit", type=float, default=8.0, help="rekentijd van de solver in seconden")
    s.add_argument("--priority", choices=list(PRIORITY_CHOICES), default="gelijk")
    s.add_argument("--ical", help="schrijf de ritten ook als iCalendar-bestand")
    s.add_argument("--role", choices=list(policy.ROLES), help="rol (alleen zvh mag plannen)")
    s.set_defaults(func=cmd_plan_visits)

    s = sub.add_parser("report", help="rapportage voor het Directieoverleg/DVC van een kwartaal (PDF of Excel)")
    s.add_argument("--period", help="kwartaal, bijvoorbeeld 2025Q3 (standaard het laatste volledige kwartaal)")
    s.add_argument("--format", choices=["pdf", "xlsx"], required=True)
    s.add_argument("--out", required=True, help="bestandsnaam van het rapport")
    s.add_argument("--gemeenten", help="alleen deze gemeenten in de tabel per gemeente (CBS-codes of namen, komma's; standaard alle)")
    s.add_argument("--role", choices=list(policy.ROLES), help="rol; zonder deze optie geldt de meest beperkte (bestuur)")
    s.add_argument("--gemeente", help="CBS-code bij --role gemeente")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("bench", help="benchmark op schaal: N synthetische detenties genereren en importeren, elke pagina timen "
                                     "(koud/warm, databasetijd, vloer, piekgeheugen); tabel en JSON")
    from benchmarks import bench_scale

    bench_scale.add_arguments(s)
    s.set_defaults(func=cmd_bench)

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

    if args.command in ("init", "formats", "template", "db-upgrade", "copy-db", "bench"):
        return None
    if not sa.inspect(_engine(args)).has_table("detention"):
        return "De database is nog niet ingericht. Voer eerst uit: python cli.py init (of init --no-sample)."
    from data_access.setup import schema_problem, upgrade_database

    problem = schema_problem(_engine(args))
    if problem is None:
        upgrade_database(_engine(args))  # pending migrations (tables new in this version)
    return problem


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
