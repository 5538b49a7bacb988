"""kpi-engine: score a sales department's KPI sheets into a colour-coded workbook."""

__version__ = "0.1.0"
