"""catalog change log: an integer catalog version and the rows each version changed, so handhelds get deltas

`catalog_state.version` (up by one per refresh that changed rows) replaces the `changed_at` timestamp
handhelds compared; `catalog_changes` says which rows changed under which version. The log starts
empty at version 1: every handheld (holding a timestamp) gets one full snapshot, then deltas.
Closed receipts remember when the cache saw them closed (they leave it a week later); closed
replenishments leave the cache now.

Revision ID: 0013_catalog_changes
Revises: 0012_user_language
Create Date: 2026-12-07 14:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_catalog_changes'
down_revision = '0012_user_language'
branch_labels = None
depends_on = None

CLOSED = "('done', 'cancel', 'cancelled')"


def upgrade():
    op.create_table('catalog_changes',
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('row_key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_key', name=op.f('pk_catalog_changes'))
    )
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_changes_version'), ['version'], unique=False)
    with op.batch_alter_table('catalog_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('oldest_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('changed_at')
    op.execute("UPDATE catalog_state SET version = 1, oldest_version = 1")
    with op.batch_alter_table('catalog_receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    op.execute(f"UPDATE catalog_receipts SET closed_at = CURRENT_TIMESTAMP WHERE state IN {CLOSED}")
    op.execute(f"DELETE FROM catalog_replenishments WHERE state IN {CLOSED}")


def downgrade():
    with op.batch_alter_table('catalog_receipts', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('catalog_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(), nullable=True))
        batch_op.drop_column('oldest_version')
        batch_op.drop_column('version')
    op.execute("UPDATE catalog_state SET changed_at = as_of")
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_changes_version'))
    op.drop_table('catalog_changes')
