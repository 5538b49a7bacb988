"""The scoring core: pure pandas over validated input (scoring.md). No file, no clock.

Modules, one concept each:
  scope       the months scored; each person's name, team and role in them
  scheme      the scheme's defaults resolved; person × KPI of their role
  sources     monthly rows of every target-based KPI: own, 团队:KPI, 培训
  aggregate   合计 / 平均 / 期末 over months, and monthly team roll-ups
  attainment  r and status
  methods     s by method: 完成率, 分段, 扣分, 等级
  ratings     combined ratings of 等级 KPIs
  totals      totals, grades, ranks
  pay         grade → 绩效系数 → 绩效工资 (coefficient_of, pay), months in post (in_post)
  teams       the team sheet and the team summary
  training    training metrics per person and course, before/after
  rounding    half-up rounding on the shortest decimal form
  engine      score() (check_input() first), for_team() and by_team()
  periods     every month, quarter and year of the scope in one pass
"""

from __future__ import annotations

from .engine import by_team, check_input, for_team, score
from .periods import periods
from .rounding import round_half_up
from .scope import resolve_scope

__all__ = ["resolve_scope", "score", "for_team", "by_team", "round_half_up", "check_input", "periods"]
