"""The demo's knowledge base and trainings (docs/demo.md): articles with real attachments, one required
for handlers and read by some, a draft, an upcoming training with enrolments and a past one attended."""

import io

from werkzeug.datastructures import FileStorage

from ..auth.models import User

REGULATION = """## 第一章 总则

第一条 为规范督察督办工作，确保上级决策部署和领导批示**落地见效**，制定本制度。

第二条 督办事项实行"立项—交办—办理—反馈—审核—审批"闭环管理。

## 第二章 办理要求

1. 承办部门应在两个工作日内签收；
2. 按反馈周期报告进展，逾期未反馈的予以催办；
3. 申请办结须附佐证材料。

详见附件《督办工作细则》。
"""

HEATING = """供暖接入市网是今年的重点工作。各相关部门要把握以下要点：

| 阶段 | 时间 | 牵头部门 |
|---|---|---|
| 管网改造 | 10 月前 | 物业服务中心 |
| 试运行 | 11 月 | 物业服务中心 |

> 供暖期内出现的群众诉求，须在一个工作日内响应。
"""

EXPERIENCE = """物业服务中心在水电气暖收费制度改革中，采取"一户一档、上门解释"的办法，
三个月内完成全部居民的燃气表更换，未发生一起投诉。主要做法：

- 提前公示收费标准；
- 设立临时服务点，错峰办理；
- 对困难家庭逐户走访。
"""


def docx_bytes(*paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seed_knowledge_base():
    """Create the demo articles once (nothing when any article exists); return how many."""
    from . import attachments, reading, services
    from .models import Article

    if Article.select().exists():
        return 0
    people = {u.username: u for u in User.select()}
    supervisor = people["supervisor"]
    regulation = services.create_article(supervisor, {
        "title": "督察督办工作制度", "category": "regulation", "tags": ["制度", "督办"], "body": REGULATION,
        "status": "published", "required_for": {"roles": ["handler"], "departments": []}})
    attachments.add(supervisor, regulation, FileStorage(io.BytesIO(docx_bytes(
        "督办工作细则", "承办部门收到交办事项后，应在两个工作日内签收；确需退回的，应说明理由。",
        "办理过程中遇到跨部门协调事项，应及时报告督办责任人，逾期未办结的将予以通报。")),
        filename="督办工作细则.docx"))
    heating = services.create_article(supervisor, {
        "title": "供暖接入市网工作指引", "category": "policy", "tags": ["供暖", "重点工作"], "body": HEATING,
        "status": "published"})
    attachments.add(supervisor, heating, FileStorage(io.BytesIO(xlsx_bytes([
        ["小区", "户数", "换热站"], ["矿区一号院", 320, "一号站"], ["矿区二号院", 280, "二号站"]])),
        filename="供暖接入台账.xlsx"))
    services.create_article(supervisor, {
        "title": "水电气暖收费改革的经验", "category": "experience", "tags": ["收费", "经验"], "body": EXPERIENCE,
        "status": "published"})
    services.create_article(supervisor, {
        "title": "旧街区关闭工作方案（草稿）", "category": "training", "body": "待补充。", "status": "draft"})
    for username in ("catering", "commute"):
        reading.record_read(people[username], Article.get_by_id(regulation.id))

    return 4
