"""archived records leave the catalog: sandbox products can be archived, and the cache is rebuilt

Sandbox products get Odoo's `active` flag (locations had it already). The catalog cache now drops
what a pull names as archived; what was archived before this revision is only left out of a full
pull, so the cache's products, lots, locations and stock are emptied and the next refresh pulls the
whole catalog again.

Revision ID: 0010_archived
Revises: 0009_lot_index
Create Date: 2026-12-07 07:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_archived'
down_revision = '0009_lot_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sandbox_product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    for table in ('catalog_products', 'catalog_lots', 'catalog_locations', 'catalog_stock'):
        op.execute(f"DELETE FROM {table}")
    op.execute("UPDATE catalog_state SET as_of = NULL")  # the next refresh is a full pull


def downgrade():
    with op.batch_alter_table('sandbox_product', schema=None) as batch_op:
        batch_op.drop_column('active')
