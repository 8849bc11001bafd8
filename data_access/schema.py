"""Database schema as SQLAlchemy Core tables (portable: DuckDB and PostgreSQL).

Dutch domain terms are given in comments; see ``docs/`` and the glossary.
No names, BSNs or addresses are stored: a person is known only by a keyed hash
(:mod:`data_access.pseudonym`).

Foreign keys: DuckDB executes an UPDATE of a row that another table references as delete +
insert and rejects it ("still referenced by a foreign key"), even when the key is unchanged. The
tables that are updated in place (municipality, institution, person) are therefore referenced
without a database-level FOREIGN KEY, and so is import_batch (DuckDB also rejects deleting a batch
and its detentions in one transaction); the importers guarantee the reference (every code is
resolved through :class:`data_access.reference.ReferenceResolver` before storage) and
``tests/test_integrity.py`` checks it.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


def _id(name: str) -> sa.Column:
    return sa.Column("id", sa.Integer, sa.Sequence(f"{name}_id_seq"), primary_key=True)


# gemeente (CBS code GMxxxx)
municipality = sa.Table(
    "municipality",
    metadata,
    sa.Column("gm_code", sa.String(6), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("in_region_report", sa.Boolean, nullable=False, default=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("population_2020", sa.Integer),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("coord_precision", sa.String(20)),
)

municipality_alias = sa.Table(
    "municipality_alias",
    metadata,
    sa.Column("alias_norm", sa.String(120), primary_key=True),  # normalised spelling
    sa.Column("alias", sa.String(120), nullable=False),
    sa.Column("gm_code", sa.String(6), nullable=False),  # -> municipality
)

# inrichting: PI / JC / DC of DJI
institution = sa.Table(
    "institution",
    metadata,
    sa.Column("code", sa.String(12), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("town", sa.String(80)),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("coord_precision", sa.String(20)),
    sa.Column("status", sa.String(20)),  # open | closed | unverified
    sa.Column("closed_year", sa.Integer),
    sa.Column("borderline_60km", sa.Boolean, nullable=False, default=False),
)

institution_alias = sa.Table(
    "institution_alias",
    metadata,
    sa.Column("alias_norm", sa.String(160), primary_key=True),
    sa.Column("alias", sa.String(160), nullable=False),
    sa.Column("code", sa.String(12), nullable=False),  # -> institution
)

# importbatch: one row per imported file
import_batch = sa.Table(
    "import_batch",
    metadata,
    _id("import_batch"),
    sa.Column("kind", sa.String(40), nullable=False),  # e.g. 'detenties', 'gepubliceerd'
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_inserted", sa.Integer, nullable=False),
    sa.Column("rows_updated", sa.Integer, nullable=False),
    sa.Column("rows_unchanged", sa.Integer, nullable=False),
    sa.Column("imported_by", sa.String(80), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("is_synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("rows_duplicate", sa.Integer, nullable=False, default=0),  # identical rows collapsed
    sa.Column("sheet", sa.String(120)),  # Excel sheet read, if any
    sa.Column("status", sa.String(20), nullable=False, default="actief"),  # actief | teruggedraaid
    sa.Column("rolled_back_by", sa.String(80)),
    sa.Column("rolled_back_at", sa.DateTime),
)

# gedetineerde (pseudonymous)
person = sa.Table(
    "person",
    metadata,
    sa.Column("person_key", sa.String(64), primary_key=True),  # HMAC-SHA256 of bron_id, hex
    sa.Column("birth_year", sa.Integer),
    sa.Column("gm_code", sa.String(6)),  # -> municipality; gemeente van terugkeer (latest)
    sa.Column("top_x", sa.Boolean),  # doelgroep Top X
    sa.Column("pga", sa.Boolean),  # persoonsgerichte aanpak
    sa.Column("probation_supervision", sa.Boolean),  # reclasseringstoezicht
    sa.Column("batch_id", sa.Integer),  # -> import_batch that last changed the row
)

# detentie: one episode per admission
detention = sa.Table(
    "detention",
    metadata,
    _id("detention"),
    sa.Column("person_key", sa.String(64), nullable=False),  # -> person
    sa.Column("gm_code", sa.String(6), nullable=False),  # -> municipality
    sa.Column("institution_code", sa.String(12), nullable=False),  # -> institution
    sa.Column("admission_date", sa.Date, nullable=False),  # datum aanvang
    sa.Column("release_date", sa.Date),  # datum einde (NULL: still in detention)
    sa.Column("expected_release_date", sa.Date),  # verwachte einddatum
    sa.Column("institution_path", sa.String(200)),  # volgorde van inrichtingen (codes, '>'), from notifications
    sa.Column("notified_admission_at", sa.DateTime),  # Injus-melding aanvang ontvangen
    sa.Column("notified_release_at", sa.DateTime),  # Injus-melding einde ontvangen
    sa.Column("batch_id", sa.Integer, nullable=False),  # -> import_batch (no FK: see module docstring)
    sa.UniqueConstraint("person_key", "admission_date", name="uq_detention_person_admission"),
)
sa.Index("ix_detention_gm", detention.c.gm_code)
sa.Index("ix_detention_release", detention.c.release_date)

# gepubliceerde cijfers: published aggregates, kept apart from case data
# --- case data beyond the episode (issue "Real exports in"). A row refers to its detention by the
# natural key (person_key, admission_date), which survives re-imports; batch_id is the import batch
# that last changed the row (rollback: data_access.import_store).

notification = sa.Table(  # Injus-melding
    "notification",
    metadata,
    _id("notification"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # aanvang | overplaatsing | einde
    sa.Column("event_date", sa.Date, nullable=False),  # datum gebeurtenis
    sa.Column("notified_at", sa.DateTime),  # datum melding
    sa.Column("institution_code", sa.String(12), nullable=False),
    sa.Column("gm_code", sa.String(6), nullable=False),
    sa.Column("expected_release_date", sa.Date),
    sa.Column("birth_year", sa.Integer),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "kind", "event_date", name="uq_notification"),
)

info_sheet = sa.Table(  # informatieblad: status per leefgebied at intake or at departure
    "info_sheet",
    metadata,
    _id("info_sheet"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("admission_date", sa.Date, nullable=False),
    sa.Column("moment", sa.String(10), nullable=False),  # intake | vertrek
    sa.Column("sheet_date", sa.Date),
    *[sa.Column(c, sa.String(15), nullable=False) for c in
      ("id_document", "housing", "income", "work", "debts", "care", "social_network")],  # op orde | niet op orde | onbekend
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "admission_date", "moment", name="uq_info_sheet"),
)

journey_event = sa.Table(  # klantreis-gebeurtenis
    "journey_event",
    metadata,
    _id("journey_event"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("admission_date", sa.Date, nullable=False),
    sa.Column("event", sa.String(20), nullable=False),  # melding | informatieblad | gesprek | ... (import_formats.JOURNEY_EVENTS)
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("party", sa.String(20)),  # door: PI | ZVH | gemeente | reclassering | Exodus | lokaal team | anders
    sa.Column("shared_with_gemeente", sa.Boolean),  # plan gedeeld met de gemeente
    sa.Column("case_lead", sa.String(20)),  # regiehouder na overdracht
    sa.Column("completeness_pct", sa.Float),  # volledigheid informatieblad, percent 0-100
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "admission_date", "event", "event_date", name="uq_journey_event"),
)

task_record = sa.Table(  # taak uit de handreiking, per casus
    "task_record",
    metadata,
    _id("task_record"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("admission_date", sa.Date, nullable=False),
    sa.Column("task_code", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # uitgevoerd | niet uitgevoerd | niet nodig | onbekend
    sa.Column("party", sa.String(20)),
    sa.Column("done_date", sa.Date),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "admission_date", "task_code", name="uq_task_record"),
)

arrangement = sa.Table(  # werkafspraak per gemeente
    "arrangement",
    metadata,
    _id("arrangement"),
    sa.Column("gm_code", sa.String(6), nullable=False),
    sa.Column("task_code", sa.String(10), nullable=False),
    sa.Column("reference_date", sa.Date, nullable=False),  # peildatum
    sa.Column("status", sa.String(20), nullable=False),  # aanwezig | in ontwikkeling | afwezig | onbekend
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("gm_code", "task_code", "reference_date", name="uq_arrangement"),
)

survey_answer = sa.Table(  # enquête-antwoord
    "survey_answer",
    metadata,
    _id("survey_answer"),
    sa.Column("respondent_key", sa.String(64), nullable=False),  # HMAC of respondent_id
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column("gm_code", sa.String(6)),
    sa.Column("task_code", sa.String(10), nullable=False),
    sa.Column("answer", sa.String(20), nullable=False),  # uitgevoerd | niet uitgevoerd | weet niet
    sa.Column("answer_date", sa.Date, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("respondent_key", "task_code", "answer_date", name="uq_survey_answer"),
)

intervention = sa.Table(  # interventie
    "intervention",
    metadata,
    _id("intervention"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("admission_date", sa.Date, nullable=False),
    sa.Column("intervention", sa.String(30), nullable=False),  # import_formats.INTERVENTIONS
    sa.Column("provider", sa.String(100)),
    sa.Column("phase", sa.String(10), nullable=False),  # tijdens | na
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date),
    sa.Column("status", sa.String(20), nullable=False),  # gepland | lopend | afgerond | afgebroken
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "admission_date", "intervention", "start_date", name="uq_intervention"),
)

recidivism = sa.Table(  # recidive-uitkomst per vrijlating
    "recidivism",
    metadata,
    _id("recidivism"),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("release_date", sa.Date, nullable=False),
    sa.Column("reoffence_date", sa.Date),  # eerste nieuwe geregistreerde delict; NULL: none seen
    sa.Column("followed_until", sa.Date, nullable=False),  # gevolgd tot (censoring)
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("person_key", "release_date", name="uq_recidivism"),
)

pi_visit = sa.Table(  # PI-bezoek
    "pi_visit",
    metadata,
    _id("pi_visit"),
    sa.Column("visit_ref", sa.String(40), nullable=False),  # bezoek_id
    sa.Column("visit_date", sa.Date, nullable=False),
    sa.Column("institution_code", sa.String(12), nullable=False),
    sa.Column("staff", sa.String(40), nullable=False),  # medewerker- of teamcode
    sa.Column("travel_minutes", sa.Integer),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("visit_ref", name="uq_pi_visit"),
)

pi_visit_contact = sa.Table(  # gesproken gedetineerde tijdens een bezoek
    "pi_visit_contact",
    metadata,
    _id("pi_visit_contact"),
    sa.Column("visit_ref", sa.String(40), nullable=False),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("admission_date", sa.Date, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("visit_ref", "person_key", name="uq_pi_visit_contact"),
)

superseded_row = sa.Table(  # old version of a row that an import changed; restored by a rollback
    "superseded_row",
    metadata,
    _id("superseded_row"),
    sa.Column("batch_id", sa.Integer, nullable=False),  # the batch that changed the row
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("row_json", sa.Text, nullable=False),
)
sa.Index("ix_superseded_batch", superseded_row.c.batch_id)

# Tables whose rows carry the import batch that last changed them (rollback and purge-demo).
BATCHED_TABLES = (person, detention, notification, info_sheet, journey_event, task_record, arrangement,
                  survey_answer, intervention, recidivism, pi_visit, pi_visit_contact)

published_aggregate = sa.Table(
    "published_aggregate",
    metadata,
    _id("published_aggregate"),
    sa.Column("source", sa.String(80), nullable=False),  # e.g. 'tabel1_uitstroom_2021'
    sa.Column("gemeente", sa.String(100), nullable=False),  # as published (e.g. 'Gooische Meren', 'Totaal')
    sa.Column("gm_code", sa.String(6)),  # resolved code, NULL for 'Totaal'
    sa.Column("kind", sa.String(20), nullable=False),  # total | band | institution
    sa.Column("key", sa.String(160), nullable=False),  # band label or institution name ('' for totals)
    sa.Column("value_text", sa.String(40), nullable=False),  # as published: '91', '<5', 'niet bekend'
    sa.Column("value", sa.Integer),  # exact value where published
    sa.Column("value_min", sa.Integer),  # lower bound implied ('<5' -> 1)
    sa.Column("value_max", sa.Integer),  # upper bound implied ('<5' -> 4)
    sa.Column("batch_id", sa.Integer, nullable=False),  # -> import_batch (no FK: see module docstring)
)

published_claim = sa.Table(
    "published_claim",
    metadata,
    sa.Column("source", sa.String(80), primary_key=True),
    sa.Column("claim", sa.String(120), primary_key=True),
    sa.Column("value_text", sa.String(40), nullable=False),
    sa.Column("unit", sa.String(40)),
)

# gebruikers (local accounts; OIDC users are not stored here)
app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),  # argon2id
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("gm_code", sa.String(6)),  # only for role 'gemeente'
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# auditlog (append-only)
audit_log = sa.Table(
    "audit_log",
    metadata,
    _id("audit_log"),
    sa.Column("ts", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(120), nullable=False),
    sa.Column("role", sa.String(20)),
    sa.Column("action", sa.String(40), nullable=False),  # login, login_failed, logout, view_cases, import, export, ...
    sa.Column("target", sa.String(120)),  # page, file or table
    sa.Column("details", sa.Text),  # JSON
)

# capaciteitsscenario: saved what-if inputs (issue "What if"); no case data
whatif_scenario = sa.Table(
    "whatif_scenario",
    metadata,
    _id("whatif_scenario"),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("params", sa.Text, nullable=False),  # JSON of metrics.whatif.Scenario (and the population choice)
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# streefwaarde per KPI (issue "KPI board"): history kept, never overwritten
kpi_target = sa.Table(
    "kpi_target",
    metadata,
    _id("kpi_target"),
    sa.Column("kpi_code", sa.String(40), nullable=False),  # metrics.kpi_registry
    sa.Column("value", sa.Double, nullable=False),  # in the KPI's unit (shares as fractions); DOUBLE: DuckDB FLOAT is 32-bit
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("set_by", sa.String(80), nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.String(200)),
)

# opgeslagen analyse: a computed result (intervention effects, the risk model card) per data version,
# so a restart or another app process does not recompute it (data_access.analysis_store); derived
# data, never copied by copy-db; no person keys inside (pseudonymous ids and scores only)
analysis_result = sa.Table(
    "analysis_result",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),  # kind|params|data version|code version
    sa.Column("kind", sa.String(40), nullable=False),  # effects, model_card
    sa.Column("data_version", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),  # pickle, signed
    sa.Column("signature", sa.String(64), nullable=False),  # HMAC-SHA256 of the payload
    sa.Column("seconds", sa.Double),  # computing time
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# key/value facts about the database, e.g. data_origin = synthetic | real
app_meta = sa.Table(
    "app_meta",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)


def create_all(engine: sa.Engine) -> None:
    """Create every table that does not exist yet (idempotent), without migrations.

    The application creates and changes its schema with Alembic migrations
    (:func:`data_access.setup.upgrade_database`); a change to the tables above needs a new migration
    in ``migrations/versions`` (``tests/test_migrations.py`` fails until the two agree).
    """
    metadata.create_all(engine)
