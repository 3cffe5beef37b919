"""a box's GTIN stands for its quantity of units: sandbox packagings and the catalog cache carry it

The catalog cache kept one row per product, so a product's second GTIN (a box's) overwrote its
first; it now keys rows by product and GTIN. The cache is rebuilt: its rows are dropped and the
next refresh pulls the whole catalog again.

Revision ID: 0007_pack_quantity
Revises: 0006_catalog_changed_at
Create Date: 2026-12-07 05:55:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_pack_quantity'
down_revision = '0006_catalog_changed_at'
branch_labels = None
depends_on = None


def _catalog_products(primary_key: list[str], *extra: sa.Column) -> None:
    op.drop_table('catalog_products')
    op.create_table('catalog_products',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('tracked_by_lot', sa.Boolean(), nullable=False),
    sa.Column('uses_expiry', sa.Boolean(), nullable=False),
    *extra,
    sa.PrimaryKeyConstraint(*primary_key, name=op.f('pk_catalog_products'))
    )
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_products_gtin'), ['gtin'], unique=False)
    op.execute("UPDATE catalog_state SET as_of = NULL")  # the next refresh is a full pull


def upgrade():
    with op.batch_alter_table('sandbox_packaging', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qty', sa.Double(), server_default='1', nullable=False))
    _catalog_products(['id', 'gtin'], sa.Column('pack_quantity', sa.Double(), nullable=False))


def downgrade():
    _catalog_products(['id'])
    with op.batch_alter_table('sandbox_packaging', schema=None) as batch_op:
        batch_op.drop_column('qty')
