"""Plans get 0 to 4 levels above the activity (issue 14): areas and goals become nodes of one table,
``plan_nodes``; an activity points at its node and its top-level node; a reviewer's scope names a
top-level node. The shipped plan's areas become depth-0 nodes (intro → description), its goals
depth-1 nodes (comment → notes), with their codes, titles, footnotes, coordination and positions.

Revision ID: e1000001
Revises: d6000001
Create Date: 2026-12-03 10:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1000001"
down_revision = "d6000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("footnotes", sa.JSON(), nullable=False),
        sa.Column("coordination", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["plan_nodes.id"], name=op.f("fk_plan_nodes_parent_id_plan_nodes"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_nodes_plan_id_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_nodes")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_plan_nodes_plan_id")),
    )
    with op.batch_alter_table("plan_nodes") as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_nodes_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_nodes_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("activities") as batch_op:
        batch_op.add_column(sa.Column("node_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("top_node_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("role_assignments") as batch_op:
        batch_op.add_column(sa.Column("node_id", sa.Integer(), nullable=True))

    conn = op.get_bind()
    nodes = sa.table(
        "plan_nodes", *(sa.column(c) for c in (
            "id", "plan_id", "parent_id", "depth", "code", "title", "description", "notes", "position")),
        sa.column("footnotes", sa.JSON), sa.column("coordination", sa.JSON),
    )
    area_node = {}
    for row in conn.execute(sa.text(
        "SELECT id, plan_id, code, title, intro, footnotes, position FROM areas ORDER BY id"
    )).mappings():
        footnotes = row["footnotes"]
        result = conn.execute(nodes.insert().values(
            plan_id=row["plan_id"], parent_id=None, depth=0, code=row["code"], title=row["title"],
            description=row["intro"], notes="", position=row["position"],
            footnotes=json.loads(footnotes) if isinstance(footnotes, str) else (footnotes or []),
            coordination=[],
        ))
        area_node[row["id"]] = result.inserted_primary_key[0]
    goal_node = {}
    for row in conn.execute(sa.text(
        "SELECT id, plan_id, area_id, code, title, comment, coordination, position FROM goals ORDER BY id"
    )).mappings():
        coordination = row["coordination"]
        result = conn.execute(nodes.insert().values(
            plan_id=row["plan_id"], parent_id=area_node[row["area_id"]], depth=1, code=row["code"],
            title=row["title"], description="", notes=row["comment"], position=row["position"],
            footnotes=[],
            coordination=json.loads(coordination) if isinstance(coordination, str) else (coordination or []),
        ))
        goal_node[row["id"]] = (result.inserted_primary_key[0], area_node[row["area_id"]])
    for goal_id, (node_id, top_id) in goal_node.items():
        conn.execute(
            sa.text("UPDATE activities SET node_id = :node, top_node_id = :top WHERE goal_id = :goal"),
            {"node": node_id, "top": top_id, "goal": goal_id},
        )
    for area_id, node_id in area_node.items():
        conn.execute(
            sa.text("UPDATE role_assignments SET node_id = :node WHERE area_id = :area"),
            {"node": node_id, "area": area_id},
        )

    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_index("ix_activities_goal_id")
        batch_op.drop_constraint("fk_activities_goal_id_goals", type_="foreignkey")
        batch_op.drop_column("goal_id")
        batch_op.create_index(batch_op.f("ix_activities_node_id"), ["node_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_top_node_id"), ["top_node_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_activities_node_id_plan_nodes"), "plan_nodes", ["node_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.create_foreign_key(batch_op.f("fk_activities_top_node_id_plan_nodes"), "plan_nodes",
                                    ["top_node_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("role_assignments") as batch_op:
        batch_op.drop_constraint("uq_role_assignments_user_id", type_="unique")
        batch_op.drop_constraint("fk_role_assignments_area_id_areas", type_="foreignkey")
        batch_op.drop_column("area_id")
        batch_op.create_foreign_key(batch_op.f("fk_role_assignments_node_id_plan_nodes"), "plan_nodes", ["node_id"],
                                    ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_role_assignments_user_id"),
                                          ["user_id", "role", "plan_id", "node_id", "body_id"])
    op.drop_table("goals")
    op.drop_table("areas")


def downgrade():
    """Back to areas and goals: possible while every plan has two levels (as the shipped plan)."""
    conn = op.get_bind()
    odd = conn.execute(sa.text(
        "SELECT count(*) FROM activities a LEFT JOIN plan_nodes n ON n.id = a.node_id "
        "WHERE n.id IS NULL OR n.depth <> 1"
    )).scalar()
    if odd:
        raise RuntimeError(
            f"{odd} activities are not under a second-level node: plans of 0, 1, 3 or 4 levels do not fit "
            "areas and goals; restore the backup taken before the upgrade."
        )
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("footnotes", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_areas_plan_id_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_areas_plan_id")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("coordination", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_goals_area_id_areas"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_goals_plan_id_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_goals_plan_id")),
    )
    with op.batch_alter_table("areas") as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("goals") as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goals_plan_id"), ["plan_id"], unique=False)
    conn.execute(sa.text(
        "INSERT INTO areas (id, plan_id, code, title, intro, footnotes, position) "
        "SELECT id, plan_id, code, title, description, footnotes, position FROM plan_nodes WHERE depth = 0"
    ))
    conn.execute(sa.text(
        "INSERT INTO goals (id, plan_id, area_id, code, title, comment, coordination, position) "
        "SELECT id, plan_id, parent_id, code, title, notes, coordination, position FROM plan_nodes WHERE depth = 1"
    ))
    with op.batch_alter_table("activities") as batch_op:
        batch_op.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE activities SET goal_id = node_id"))
    with op.batch_alter_table("role_assignments") as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE role_assignments SET area_id = node_id"))
    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_constraint("fk_activities_node_id_plan_nodes", type_="foreignkey")
        batch_op.drop_constraint("fk_activities_top_node_id_plan_nodes", type_="foreignkey")
        batch_op.drop_index("ix_activities_node_id")
        batch_op.drop_index("ix_activities_top_node_id")
        batch_op.drop_column("node_id")
        batch_op.drop_column("top_node_id")
        batch_op.alter_column("goal_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_activities_goal_id"), ["goal_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_activities_goal_id_goals"), "goals", ["goal_id"], ["id"],
                                    ondelete="CASCADE")
    with op.batch_alter_table("role_assignments") as batch_op:
        batch_op.drop_constraint("uq_role_assignments_user_id", type_="unique")
        batch_op.drop_constraint("fk_role_assignments_node_id_plan_nodes", type_="foreignkey")
        batch_op.drop_column("node_id")
        batch_op.create_foreign_key(batch_op.f("fk_role_assignments_area_id_areas"), "areas", ["area_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_role_assignments_user_id"),
                                          ["user_id", "role", "plan_id", "area_id", "body_id"])
    with op.batch_alter_table("plan_nodes") as batch_op:
        batch_op.drop_index("ix_plan_nodes_parent_id")
        batch_op.drop_index("ix_plan_nodes_plan_id")
    op.drop_table("plan_nodes")
