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
