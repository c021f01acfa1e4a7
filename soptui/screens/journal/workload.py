"""«Нагрузка» tab of the journal: per specialist and month, hours really worked against the SOP norms and
the month's working time — a bar chart (textual-plotext) over a table; F9 prints the table."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


def _hours(minutes: int) -> str:
    return f"{minutes // 60} ч {minutes % 60:02d} мин"


class WorkloadView(VerticalScroll):
    """The chart and the table of a `journal.Workload`."""

    DEFAULT_CSS = """
    WorkloadView { height: 1fr; padding: 0 1; }
    WorkloadView #load-chart { height: 12; }
    WorkloadView #load-table { height: auto; }
    """

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # loads plotext only when the tab is built

        yield Static("Загрузка…", id="load-title")
        yield PlotextPlot(id="load-chart")
        yield Static("", id="load-table")

    def refused(self, message: str) -> None:
        """A specialist chose a colleague: the service refused; say why where the table would be."""
        self.query_one("#load-title", Static).update(message)
        self.query_one("#load-chart").display = False
        self.query_one("#load-table", Static).update("")

    def show(self, data) -> None:
        rows = data.rows
        self.query_one("#load-title", Static).update(
            Text(
                f"Нагрузка по нормам СОП · {data.start:%d.%m.%Y}–{data.end:%d.%m.%Y} · "
                f"{data.department or 'все отделения'}",
                style="bold",
            )
        )
        chart = self.query_one("#load-chart")
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        chart.display = bool(rows)
        if rows:
            labels = [
                f"{r.staff_name} {r.month[:2]}" if len({x.month for x in rows}) > 1 else r.staff_name for r in rows
            ]
            plt.multiple_bar(
                labels,
                [
                    [round(r.minutes / 60, 1) for r in rows],
                    [round(r.norm_minutes / 60, 1) for r in rows],
                    [r.working_hours for r in rows],
                ],
                labels=["фактически, ч", "по нормам СОП, ч", "рабочее время, ч"],
            )
            plt.title("Часы: фактически, по нормам, рабочее время")
        chart.refresh()
        table = Table(expand=False, show_edge=False, pad_edge=False, header_style="bold")
        for title, justify in (
            ("Специалист", "left"),
            ("Месяц", "left"),
            ("Раб. время", "right"),
            ("Услуг", "right"),
            ("Фактически", "right"),
            ("По нормам", "right"),
            ("Доля", "right"),
        ):
            table.add_column(title, justify=justify, overflow="fold")
        for r in rows:
            table.add_row(
                r.staff_name,
                r.month,
                f"{r.working_hours:g} ч",
                str(r.services),
                _hours(r.minutes),
                _hours(r.norm_minutes) if r.norm_minutes else "—",
                r.share,
            )
        per_sop = Table(expand=False, show_edge=False, pad_edge=False, header_style="bold")
        for title in ("Специалист", "Месяц", "СОП", "Услуг", "Факт., мин", "Норма, мин"):
            per_sop.add_column(title, justify="left" if title in ("Специалист", "Месяц", "СОП") else "right")
        for r in rows:
            for label, n, minutes, norm in r.by_sop:
                style = "bold red" if norm and minutes > norm else ""
                per_sop.add_row(r.staff_name, r.month, label, str(n), Text(str(minutes), style=style), str(norm or "—"))
        self.query_one("#load-table", Static).update(
            Group(
                table,
                Text(""),
                Text("По СОП (красным — сверх нормы)", style="bold"),
                per_sop,
                Text(""),
                Text("F9 — напечатать в PDF", style="dim"),
            )
            if rows
            else Text("За период нет записей в журнале учёта услуг.")
        )
