"""Initial schema: every table of data_access.schema as it was when migrations were introduced.

Written out explicitly (not metadata.create_all) so that later migrations are diffed against it.
Ids come from one sequence per table (``<table>_id_seq``), as in ``schema._id``; Alembic does not
create sequences, so this migration does. A database made before migrations existed is stamped at
this revision by data_access.setup.upgrade_database after its missing tables are created.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 20:11:44
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# One id sequence per table with a surrogate key (data_access.schema._id).
SEQUENCES = ("arrangement_id_seq", "audit_log_id_seq", "detention_id_seq", "import_batch_id_seq", "info_sheet_id_seq",
             "intervention_id_seq", "journey_event_id_seq", "kpi_target_id_seq", "notification_id_seq",
             "pi_visit_contact_id_seq", "pi_visit_id_seq", "published_aggregate_id_seq", "recidivism_id_seq",
             "superseded_row_id_seq", "survey_answer_id_seq", "task_record_id_seq", "whatif_scenario_id_seq")

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table('app_meta',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('app_user',
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('arrangement',
    sa.Column('id', sa.Integer(), sa.Sequence('arrangement_id_seq'), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=False),
    sa.Column('task_code', sa.String(length=10), nullable=False),
    sa.Column('reference_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('gm_code', 'task_code', 'reference_date', name='uq_arrangement')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), sa.Sequence('audit_log_id_seq'), nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('detention',
    sa.Column('id', sa.Integer(), sa.Sequence('detention_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=False),
    sa.Column('institution_code', sa.String(length=12), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=True),
    sa.Column('expected_release_date', sa.Date(), nullable=True),
    sa.Column('institution_path', sa.String(length=200), nullable=True),
    sa.Column('notified_admission_at', sa.DateTime(), nullable=True),
    sa.Column('notified_release_at', sa.DateTime(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'admission_date', name='uq_detention_person_admission')
    )
    op.create_index('ix_detention_gm', 'detention', ['gm_code'], unique=False)
    op.create_index('ix_detention_release', 'detention', ['release_date'], unique=False)
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), sa.Sequence('import_batch_id_seq'), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_inserted', sa.Integer(), nullable=False),
    sa.Column('rows_updated', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.String(length=80), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('rows_duplicate', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rolled_back_by', sa.String(length=80), nullable=True),
    sa.Column('rolled_back_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('info_sheet',
    sa.Column('id', sa.Integer(), sa.Sequence('info_sheet_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('moment', sa.String(length=10), nullable=False),
    sa.Column('sheet_date', sa.Date(), nullable=True),
    sa.Column('id_document', sa.String(length=15), nullable=False),
    sa.Column('housing', sa.String(length=15), nullable=False),
    sa.Column('income', sa.String(length=15), nullable=False),
    sa.Column('work', sa.String(length=15), nullable=False),
    sa.Column('debts', sa.String(length=15), nullable=False),
    sa.Column('care', sa.String(length=15), nullable=False),
    sa.Column('social_network', sa.String(length=15), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'admission_date', 'moment', name='uq_info_sheet')
    )
    op.create_table('institution',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('town', sa.String(length=80), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('coord_precision', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('closed_year', sa.Integer(), nullable=True),
    sa.Column('borderline_60km', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('institution_alias',
    sa.Column('alias_norm', sa.String(length=160), nullable=False),
    sa.Column('alias', sa.String(length=160), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('alias_norm')
    )
    op.create_table('intervention',
    sa.Column('id', sa.Integer(), sa.Sequence('intervention_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('intervention', sa.String(length=30), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=True),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'admission_date', 'intervention', 'start_date', name='uq_intervention')
    )
    op.create_table('journey_event',
    sa.Column('id', sa.Integer(), sa.Sequence('journey_event_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=True),
    sa.Column('shared_with_gemeente', sa.Boolean(), nullable=True),
    sa.Column('case_lead', sa.String(length=20), nullable=True),
    sa.Column('completeness_pct', sa.Float(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'admission_date', 'event', 'event_date', name='uq_journey_event')
    )
    op.create_table('kpi_target',
    sa.Column('id', sa.Integer(), sa.Sequence('kpi_target_id_seq'), nullable=False),
    sa.Column('kpi_code', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('set_by', sa.String(length=80), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('municipality',
    sa.Column('gm_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('in_region_report', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('population_2020', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('coord_precision', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('gm_code')
    )
    op.create_table('municipality_alias',
    sa.Column('alias_norm', sa.String(length=120), nullable=False),
    sa.Column('alias', sa.String(length=120), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=False),
    sa.PrimaryKeyConstraint('alias_norm')
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), sa.Sequence('notification_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('institution_code', sa.String(length=12), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=False),
    sa.Column('expected_release_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'kind', 'event_date', name='uq_notification')
    )
    op.create_table('person',
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('gm_code', sa.String(length=6), nullable=True),
    sa.Column('top_x', sa.Boolean(), nullable=True),
    sa.Column('pga', sa.Boolean(), nullable=True),
    sa.Column('probation_supervision', sa.Boolean(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('person_key')
    )
    op.create_table('pi_visit',
    sa.Column('id', sa.Integer(), sa.Sequence('pi_visit_id_seq'), nullable=False),
    sa.Column('visit_ref', sa.String(length=40), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('institution_code', sa.String(length=12), nullable=False),
    sa.Column('staff', sa.String(length=40), nullable=False),
    sa.Column('travel_minutes', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visit_ref', name='uq_pi_visit')
    )
    op.create_table('pi_visit_contact',
    sa.Column('id', sa.Integer(), sa.Sequence('pi_visit_contact_id_seq'), nullable=False),
    sa.Column('visit_ref', sa.String(length=40), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visit_ref', 'person_key', name='uq_pi_visit_contact')
    )
    op.create_table('published_aggregate',
    sa.Column('id', sa.Integer(), sa.Sequence('published_aggregate_id_seq'), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('gemeente', sa.String(length=100), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('value_text', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('value_min', sa.Integer(), nullable=True),
    sa.Column('value_max', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('published_claim',
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('claim', sa.String(length=120), nullable=False),
    sa.Column('value_text', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('source', 'claim')
    )
    op.create_table('recidivism',
    sa.Column('id', sa.Integer(), sa.Sequence('recidivism_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=False),
    sa.Column('reoffence_date', sa.Date(), nullable=True),
    sa.Column('followed_until', sa.Date(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'release_date', name='uq_recidivism')
    )
    op.create_table('superseded_row',
    sa.Column('id', sa.Integer(), sa.Sequence('superseded_row_id_seq'), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_superseded_batch', 'superseded_row', ['batch_id'], unique=False)
    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), sa.Sequence('survey_answer_id_seq'), nullable=False),
    sa.Column('respondent_key', sa.String(length=64), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('gm_code', sa.String(length=6), nullable=True),
    sa.Column('task_code', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=False),
    sa.Column('answer_date', sa.Date(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('respondent_key', 'task_code', 'answer_date', name='uq_survey_answer')
    )
    op.create_table('task_record',
    sa.Column('id', sa.Integer(), sa.Sequence('task_record_id_seq'), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('admission_date', sa.Date(), nullable=False),
    sa.Column('task_code', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=True),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_key', 'admission_date', 'task_code', name='uq_task_record')
    )
    op.create_table('whatif_scenario',
    sa.Column('id', sa.Integer(), sa.Sequence('whatif_scenario_id_seq'), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('whatif_scenario')
    op.drop_table('task_record')
    op.drop_table('survey_answer')
    op.drop_index('ix_superseded_batch', table_name='superseded_row')
    op.drop_table('superseded_row')
    op.drop_table('recidivism')
    op.drop_table('published_claim')
    op.drop_table('published_aggregate')
    op.drop_table('pi_visit_contact')
    op.drop_table('pi_visit')
    op.drop_table('person')
    op.drop_table('notification')
    op.drop_table('municipality_alias')
    op.drop_table('municipality')
    op.drop_table('kpi_target')
    op.drop_table('journey_event')
    op.drop_table('intervention')
    op.drop_table('institution_alias')
    op.drop_table('institution')
    op.drop_table('info_sheet')
    op.drop_table('import_batch')
    op.drop_index('ix_detention_release', table_name='detention')
    op.drop_index('ix_detention_gm', table_name='detention')
    op.drop_table('detention')
    op.drop_table('audit_log')
    op.drop_table('arrangement')
    op.drop_table('app_user')
    op.drop_table('app_meta')
    for name in SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))
