"""Documents and spreadsheets: supervision letters (督办函), the weekly report, monthly bulletin
and yearly summary of the ranking, with charts."""

import io

from django.utils import timezone
from docx import Document
from docx.shared import Pt

from .states import SupervisionLevel


def _local(at):
    return timezone.localtime(at).strftime("%Y年%m月%d日")


def supervision_letter(supervision) -> bytes:
    """督办函 for one ticket and level, as a .docx."""
    ticket = supervision.ticket
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    doc.add_heading("沂源县12345政务服务便民热线督办函", level=1)
    doc.add_paragraph(
        f"编号：督〔{timezone.localtime(supervision.raised_at):%Y}〕{supervision.pk}号"
    )
    doc.add_paragraph(f"{supervision.department.name}：")
    due = _local(ticket.handle_due) if ticket.handle_due else "—"
    doc.add_paragraph(
        f"工单 {ticket.number}（{ticket.get_ticket_type_display()}，{ticket.category or '未分类'}）"
        f"于{_local(ticket.created_at)}受理，办理时限至{due}。"
        f"现因“{supervision.reason}”，列入{SupervisionLevel(supervision.level).label}。"
        "请贵单位高度重视，立即组织办理，并于收函后3个工作日内将办理结果书面反馈县政府市民投诉中心。"
    )
    doc.add_heading("诉求内容", level=2)
    doc.add_paragraph(ticket.description)
    if ticket.address:
        doc.add_paragraph(f"地点：{ticket.town or ''}{ticket.address}")
    doc.add_paragraph("")
    doc.add_paragraph("县政府市民投诉中心")
    doc.add_paragraph(_local(supervision.raised_at))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


TITLES = {"week": "周报", "month": "月度通报", "year": "年度总结"}
HEADERS = [
    "排名",
    "承办单位",
    "受理量",
    "响应率",
    "解决率",
    "满意率",
    "按时办结率",
    "综合得分",
    "约谈提示",
]
FLAG_TEXT = {"satisfaction_below": "满意率低于约谈线", "last_place": "连续排名末位"}


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _title(period: str, start, end) -> str:
    return f"沂源县12345热线承办单位考核{TITLES[period]}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"


def ranking_workbook(period: str, start, end, rows) -> bytes:
    """The ranking as a spreadsheet: one table and a bar chart of the scores."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    ws.append([_title(period, start, end)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(
            [
                row.rank,
                row.department,
                row.counts["received"],
                row.response_rate,
                row.resolution_rate,
                row.satisfaction_rate,
                row.timeliness,
                row.score,
                "、".join(FLAG_TEXT.get(f, f) for f in row.flags),
            ]
        )
    for col in "DEFG":
        for cell in ws[col][2:]:
            cell.number_format = "0.0%"
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["I"].width = 24
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "综合得分"
        chart.y_axis.title = "得分"
        data = Reference(ws, min_col=8, min_row=2, max_row=2 + len(rows))
        labels = Reference(ws, min_col=2, min_row=3, max_row=2 + len(rows))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        chart.height = max(7.5, 0.6 * len(rows))
        chart.width = 18
        ws.add_chart(chart, "K2")
    notes = wb.create_sheet("计算口径")
    for line in (
        "响应率 = 按时签收或退回的工单数 ÷ 派发工单数",
        "解决率 = 回访“解决”与“基本解决”数 ÷ 回访有解决情况答复数",
        "满意率 = 回访“满意”与“基本满意”数 ÷ 回访有满意度答复数（无法回访不计）",
        "按时办结率 = 办结时限内答复数 ÷ 答复数",
        "综合得分 = 100 × Σ(权重 × 比率) ÷ Σ权重（无数据的指标不计入）",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _chart_png(rows) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for name in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"):
        if any(f.name == name for f in font_manager.fontManager.ttflist):
            plt.rcParams["font.family"] = name
            break
    shown = rows[:25]
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.32 * len(shown))), dpi=120)
    ax.barh([r.department for r in shown][::-1], [r.score for r in shown][::-1], color="#c0392b")
    ax.set_xlim(0, 100)
    ax.set_xlabel("综合得分")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def ranking_document(period: str, start, end, rows) -> bytes:
    """The weekly report, monthly bulletin or yearly summary as a .docx with a chart."""
    from docx.shared import Cm

    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(_title(period, start, end), level=1)
    total = sum(r.counts["received"] for r in rows)
    flagged = [r for r in rows if r.flags]
    doc.add_paragraph(
        f"本期共{len(rows)}个承办单位受理派发工单{total}件。"
        + (f"第一名：{rows[0].department}（{rows[0].score}分）。" if rows else "")
    )
    if rows:
        doc.add_picture(io.BytesIO(_chart_png(rows)), width=Cm(16))
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        values = [
            str(row.rank),
            row.department,
            str(row.counts["received"]),
            _pct(row.response_rate),
            _pct(row.resolution_rate),
            _pct(row.satisfaction_rate),
            _pct(row.timeliness),
            f"{row.score:.2f}",
            "、".join(FLAG_TEXT.get(f, f) for f in row.flags),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if flagged:
        doc.add_heading("约谈提示", level=2)
        for row in flagged:
            doc.add_paragraph(
                f"{row.department}：{'、'.join(FLAG_TEXT.get(f, f) for f in row.flags)}",
                style="List Bullet",
            )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
