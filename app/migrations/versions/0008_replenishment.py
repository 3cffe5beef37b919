"""ward replenishment (issue 15): the sandbox's reordering rules, and par levels and replenishment transfers in the catalog cache

Revision ID: 0008_replenishment
Revises: 0007_pack_quantity
Create Date: 2026-12-07 07:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_replenishment'
down_revision = '0007_pack_quantity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sandbox_orderpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('product_min_qty', sa.Double(), nullable=False),
    sa.Column('product_max_qty', sa.Double(), nullable=False),
    sa.Column('write_date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['sandbox_location.id'], name=op.f('fk_sandbox_orderpoint_location_id_sandbox_location')),
    sa.ForeignKeyConstraint(['product_id'], ['sandbox_product.id'], name=op.f('fk_sandbox_orderpoint_product_id_sandbox_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_orderpoint')),
    sa.UniqueConstraint('product_id', 'location_id', name=op.f('uq_sandbox_orderpoint_product_id'))
    )
    with op.batch_alter_table('sandbox_orderpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_orderpoint_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_orderpoint_write_date'), ['write_date'], unique=False)
    op.create_table('sandbox_orderpoint_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('orderpoint_id', sa.Integer(), nullable=False),
    sa.Column('product_min_qty', sa.Double(), nullable=False),
    sa.Column('product_max_qty', sa.Double(), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['orderpoint_id'], ['sandbox_orderpoint.id'], name=op.f('fk_sandbox_orderpoint_change_orderpoint_id_sandbox_orderpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_orderpoint_change')),
    sa.UniqueConstraint('key', name=op.f('uq_sandbox_orderpoint_change_key'))
    )
    with op.batch_alter_table('sandbox_orderpoint_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_orderpoint_change_orderpoint_id'), ['orderpoint_id'], unique=False)
    op.create_table('catalog_par_levels',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('location_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('minimum', sa.Double(), nullable=False),
    sa.Column('maximum', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('product_id', 'location_id', name=op.f('pk_catalog_par_levels'))
    )
    op.create_table('catalog_replenishments',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('destination_id', sa.Integer(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_replenishments'))
    )
    with op.batch_alter_table('catalog_replenishments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_replenishments_reference'), ['reference'], unique=False)
    op.execute("UPDATE catalog_state SET as_of = NULL")  # the next refresh is a full pull, bringing par levels


def downgrade():
    with op.batch_alter_table('catalog_replenishments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_replenishments_reference'))
    op.drop_table('catalog_replenishments')
    op.drop_table('catalog_par_levels')
    with op.batch_alter_table('sandbox_orderpoint_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_orderpoint_change_orderpoint_id'))
    op.drop_table('sandbox_orderpoint_change')
    with op.batch_alter_table('sandbox_orderpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_orderpoint_write_date'))
        batch_op.drop_index(batch_op.f('ix_sandbox_orderpoint_location_id'))
    op.drop_table('sandbox_orderpoint')
