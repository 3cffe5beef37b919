"""expiry, recalls and waste (issue 16): the command_lots index, costs and alert dates in the catalog cache,
and the sandbox's scraps, returns and recalls

`command_lots` holds one row per scanned line of each stored command, keyed by product and lot, so a
recall trace finds Wardstock's own consumption of a lot at once; rows of commands stored before this
migration are filled from their payloads. The catalog cache gains the product's cost and the lot's
alert date and is pulled whole again at the next refresh. The sandbox's moves and quants get an index
on the lot (a lot's history), its pickings a vendor, the receipt a return sends back and a waste reason.

Revision ID: 0009_lot_index
Revises: 0008_replenishment
Create Date: 2026-12-07 07:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_lot_index'
down_revision = '0008_replenishment'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('command_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('lot', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Double(), nullable=False),
    sa.Column('captured_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_lots'))
    )
    with op.batch_alter_table('command_lots', schema=None) as batch_op:
        batch_op.create_index('ix_command_lots_gtin_lot', ['gtin', 'lot'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_lots_op_id'), ['op_id'], unique=False)

    op.create_table('sandbox_recall',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=False),
    sa.Column('lots', sa.Integer(), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['sandbox_product.id'], name=op.f('fk_sandbox_recall_product_id_sandbox_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_recall')),
    sa.UniqueConstraint('key', name=op.f('uq_sandbox_recall_key'))
    )
    with op.batch_alter_table('sandbox_product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_price', sa.Double(), server_default='0', nullable=False))
    with op.batch_alter_table('sandbox_picking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('return_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('waste_reason', sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sandbox_picking_return_id_sandbox_picking'), 'sandbox_picking', ['return_id'], ['id'])
    with op.batch_alter_table('sandbox_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_move_lot_id'), ['lot_id'], unique=False)
    with op.batch_alter_table('sandbox_quant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_quant_lot_id'), ['lot_id'], unique=False)

    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost', sa.Double(), server_default='0', nullable=False))
    with op.batch_alter_table('catalog_lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_date', sa.Date(), nullable=True))
    op.execute("UPDATE catalog_state SET as_of = NULL")  # the next refresh is a full pull, with costs and alert dates
    _index_stored_commands()


def _index_stored_commands():
    """Commands kept before this migration: their lines into command_lots, as the outbox adds new ones."""
    from offline_sync.outbox.lot_index import rows_of_payload  # the one reading of a payload's lines

    connection = op.get_bind()
    commands = sa.table('outbox_commands', sa.column('op_id'), sa.column('kind'), sa.column('payload', sa.JSON),
                        sa.column('captured_at', sa.DateTime), sa.column('user_id'))
    lots = sa.table('command_lots', *(sa.column(name) for name in
                    ('op_id', 'kind', 'gtin', 'lot', 'location', 'quantity', 'captured_at', 'user_id')))
    for row in connection.execute(sa.select(commands)):
        entries = rows_of_payload(row.op_id, row.kind, row.payload, row.captured_at, row.user_id)
        if entries:
            connection.execute(lots.insert(), entries)


def downgrade():
    with op.batch_alter_table('catalog_lots', schema=None) as batch_op:
        batch_op.drop_column('alert_date')
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_column('cost')
    with op.batch_alter_table('sandbox_quant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_quant_lot_id'))
    with op.batch_alter_table('sandbox_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_move_lot_id'))
    with op.batch_alter_table('sandbox_picking', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sandbox_picking_return_id_sandbox_picking'), type_='foreignkey')
        batch_op.drop_column('waste_reason')
        batch_op.drop_column('return_id')
        batch_op.drop_column('partner')
    with op.batch_alter_table('sandbox_product', schema=None) as batch_op:
        batch_op.drop_column('standard_price')
    op.drop_table('sandbox_recall')
    with op.batch_alter_table('command_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_command_lots_op_id'))
        batch_op.drop_index('ix_command_lots_gtin_lot')
    op.drop_table('command_lots')
