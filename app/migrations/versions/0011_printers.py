"""label printers: the Zebra printers an administrator names, their address and the roll they hold

Revision ID: 0011_printers
Revises: 0010_archived
Create Date: 2026-12-07 07:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_printers'
down_revision = '0010_archived'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_printers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('stock', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_printers')),
    sa.UniqueConstraint('name', name=op.f('uq_label_printers_name'))
    )


def downgrade():
    op.drop_table('label_printers')
