"""The report: DuckDB queries over the gold tables, a plotly chart per question, one HTML page.

Each chart is drawn from one query, so what the page shows is exactly what the query returns (the
test compares the charts' data with the tables read through Spark). Plotly's JavaScript is inlined
once, so the page opens offline from disk.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd
import plotly.express as px
from plotly.graph_objects import Figure

from bdp_report.tables import Source

QUERIES = {
    "events_by_type": """
        SELECT dt, event_type, CAST(SUM(events) AS BIGINT) AS events,
               CAST(SUM(revenue) AS DOUBLE) AS revenue
        FROM daily_event_metrics GROUP BY dt, event_type ORDER BY dt, event_type""",
    "active_users": """
        SELECT dt, country, CAST(SUM(active_users) AS BIGINT) AS active_users
        FROM daily_active_users GROUP BY dt, country ORDER BY dt, country""",
    # Segments are a picture of one day: the newest date in the lake.
    "segments": """
        SELECT age_band, country, users, active_users, CAST(revenue AS DOUBLE) AS revenue,
               CAST(avg_salary AS DOUBLE) AS avg_salary
        FROM user_segments WHERE dt = (SELECT max(dt) FROM user_segments)
        ORDER BY age_band, country""",
    "quality": """
        SELECT dt, layer, check_name, status, blocking, observed, expected
        FROM quality_results ORDER BY dt DESC, layer, check_name""",
    "summary": """
        SELECT m.dt, m.events, m.revenue, a.active_users
        FROM (SELECT dt, CAST(SUM(events) AS BIGINT) AS events,
                     CAST(SUM(revenue) AS DOUBLE) AS revenue
              FROM daily_event_metrics GROUP BY dt) m
        LEFT JOIN (SELECT dt, CAST(SUM(active_users) AS BIGINT) AS active_users
                   FROM daily_active_users GROUP BY dt) a USING (dt)
        ORDER BY m.dt""",
}
STATUS_COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828"}


@dataclass(frozen=True)
class Chart:
    """A titled figure and the question it answers."""

    key: str
    title: str
    note: str
    figure: Figure


def query(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return con.sql(QUERIES[name]).df()


def charts(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    """Every chart of the page, in page order."""
    events = query(con, "events_by_type")
    active = query(con, "active_users")
    segments = query(con, "segments")
    quality = query(con, "quality")
    newest = quality[quality["dt"] == quality["dt"].max()] if len(quality) else quality
    checks = (
        newest.groupby(["layer", "status"], as_index=False)
        .size()
        .rename(columns={"size": "checks"})
    )
    by_band = segments.groupby("age_band", as_index=False)[["users", "active_users"]].sum()
    day = "processing date (dt)"
    return [
        Chart(
            "daily-events",
            "Daily events by type",
            "gold.daily_event_metrics: events per event type, summed over countries.",
            px.bar(events, x="dt", y="events", color="event_type", labels={"dt": day}),
        ),
        Chart(
            "daily-revenue",
            "Daily revenue by type",
            "gold.daily_event_metrics: revenue per event type, summed over countries.",
            px.bar(events, x="dt", y="revenue", color="event_type", labels={"dt": day}),
        ),
        Chart(
            "active-users",
            "Active users by country",
            "gold.daily_active_users: distinct users with an accepted event that day, per country.",
            px.bar(active, x="dt", y="active_users", color="country", labels={"dt": day}),
        ),
        Chart(
            "segment-users",
            "Users and active users by age band",
            "gold.user_segments of the newest date, summed over countries.",
            px.bar(
                by_band.melt(id_vars="age_band", var_name="measure", value_name="count"),
                x="age_band",
                y="count",
                color="measure",
                barmode="group",
            ),
        ),
        Chart(
            "segment-revenue",
            "Revenue by age band and country",
            "gold.user_segments of the newest date.",
            px.density_heatmap(
                segments, x="country", y="age_band", z="revenue", histfunc="sum", text_auto=".0f"
            ),
        ),
        Chart(
            "quality-checks",
            "Quality checks by layer",
            "gold.quality_results of the newest date: checks passed and failed per layer.",
            px.bar(
                checks,
                x="layer",
                y="checks",
                color="status",
                color_discrete_map=STATUS_COLOURS,
            ),
        ),
    ]


def render(con: duckdb.DuckDBPyConnection, lake_root: str, sources: list[Source]) -> str:
    """The whole page as one HTML document."""
    parts = []
    for index, chart in enumerate(charts(con)):
        chart.figure.update_layout(margin={"t": 20, "r": 20, "b": 40, "l": 60}, height=360)
        # Dates and bands are categories: one bar per processing date, not a time axis.
        chart.figure.update_xaxes(type="category")
        body = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=index == 0,  # inline once: the page must work offline
            div_id=chart.key,
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(
            f'<section class="chart"><h2>{html.escape(chart.title)}</h2>'
            f'<p class="note">{html.escape(chart.note)}</p>{body}</section>'
        )
    return PAGE.format(
        lake=html.escape(lake_root),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=_summary(query(con, "summary"), query(con, "quality")),
        charts="\n".join(parts),
        quality=_quality_table(query(con, "quality")),
        sources=_sources_table(sources),
    )


def _summary(days: pd.DataFrame, quality: pd.DataFrame) -> str:
    if days.empty:
        return '<p class="note">No gold rows yet.</p>'
    last = days.iloc[-1]
    newest = quality[quality["dt"] == quality["dt"].max()]
    failed = newest[(newest["status"] == "FAIL") & newest["blocking"]]
    tiles = [
        ("Dates", f"{days['dt'].iloc[0]} to {last['dt']}" if len(days) > 1 else last["dt"]),
        (f"Events on {last['dt']}", f"{int(last['events']):,}"),
        (f"Revenue on {last['dt']}", f"{last['revenue']:,.2f}"),
        (f"Active users on {last['dt']}", f"{int(last['active_users'] or 0):,}"),
        (
            "Quality checks passed",
            f"{int((newest['status'] == 'PASS').sum())} of {len(newest)}"
            + (f", {len(failed)} blocking failed" if len(failed) else ""),
        ),
    ]
    return "".join(
        f'<div class="tile"><span>{html.escape(label)}</span><b>{html.escape(value)}</b></div>'
        for label, value in tiles
    )


def _quality_table(quality: pd.DataFrame) -> str:
    rows = "".join(
        f'<tr class="{row.status.lower()}"><td>{html.escape(str(row.dt))}</td>'
        f"<td>{html.escape(row.layer)}</td><td>{html.escape(row.check_name)}</td>"
        f'<td class="status">{html.escape(row.status)}</td>'
        f"<td>{'blocking' if row.blocking else 'warning'}</td>"
        f"<td>{html.escape(row.observed)}</td><td>{html.escape(row.expected)}</td></tr>"
        for row in quality.itertuples()
    )
    return (
        '<table id="quality-results"><thead><tr><th>dt</th><th>layer</th><th>check</th>'
        "<th>status</th><th>kind</th><th>observed</th><th>expected</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _sources_table(sources: list[Source]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(s.table)}</td><td>{s.rows:,}</td><td>{s.snapshot_id or '-'}</td>"
        f"<td>{s.committed_at.strftime('%Y-%m-%d %H:%M:%S UTC') if s.committed_at else '-'}</td>"
        f"<td>{html.escape(s.metadata.name)}</td></tr>"
        for s in sources
    )
    return (
        "<table><thead><tr><th>table</th><th>rows</th><th>snapshot</th><th>committed</th>"
        f"<th>metadata</th></tr></thead><tbody>{rows}</tbody></table>"
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gold report: {lake}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1200px; }}
  h1 {{ margin-bottom: 0.2rem; }} h2 {{ margin: 0.2rem 0; font-size: 1.1rem; }}
  .note {{ color: #666; margin: 0.2rem 0 0.6rem; font-size: 0.9rem; }}
  .tiles {{ display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }}
  .tile {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.9rem; min-width: 11rem; }}
  .tile span {{ display: block; color: #666; font-size: 0.85rem; }} .tile b {{ font-size: 1.2rem; }}
  /* auto-fill, not auto-fit: a chart is drawn as soon as it is parsed, so its column must already
     have its final width then. */
  .grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); }}
  .grid {{ gap: 1rem; }}
  .chart {{ border: 1px solid #eee; border-radius: 6px; padding: 0.6rem; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-bottom: 1rem; }}
  th, td {{ border-bottom: 1px solid #eee; padding: 0.3rem 0.5rem; text-align: left; }}
  td:first-child {{ white-space: nowrap; }}
  tr.pass td.status {{ color: #2e7d32; font-weight: bold; }}
  tr.fail td.status {{ color: #c62828; font-weight: bold; }}
</style>
</head>
<body>
<h1>Gold report</h1>
<p class="note">Lake <code>{lake}</code>, rendered {generated} by <code>make report</code>.</p>
<div class="tiles">{summary}</div>
<div class="grid">
{charts}
</div>
<h2>Quality results</h2>
<p class="note">gold.quality_results: every check the quality job ran, per date.</p>
{quality}
<h2>Sources</h2>
<p class="note">The Iceberg snapshot of each gold table shown above.</p>
{sources}
</body>
</html>
"""
