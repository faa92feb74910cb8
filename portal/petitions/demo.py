"""Demo petitions (docs/demo.md): across categories and areas, a hot issue about heating in one area,
one answered and closed, one converted into an item; loaded once."""

from ..auth.models import User
from .models import Petition
from .services import perform, register

# channel, category, area, content, name, phone, [(actor, action, data)]
PETITIONS = [
    ("hotline", "heating", "东风小区", "3号楼暖气不热，室温只有14度，老人孩子受不了。", "王秀兰", "13912340001",
     [("supervisor", "assign", {"department": "property"}),
      ("handler", "answer", {"reply": "已安排维修班排查3号楼管网，今日放气后室温恢复到20度。"}),
      ("supervisor", "close", {"satisfaction": "satisfied", "comment": "电话回访，群众满意"})]),
    ("visit", "heating", "东风小区", "供暖接入市网后收费标准怎么算？希望公开说明。", "李建华", "0351-2345601",
     [("supervisor", "assign", {"department": "property"})]),
    ("online", "heating", "东风小区", "5号楼暖气片漏水，多次报修未处理。", "赵师傅", "13812345602",
     [("supervisor", "assign", {"department": "property"}), ("supervisor", "convert", {})]),
    ("hotline", "gas", "西山小区", "天然气入户改造施工占道，出行不便。", "孙大爷", "13712345603", []),
    ("letter", "commute", "北区", "早班通勤车发车时间提前，职工赶不上。", "周女士", "", 
     [("supervisor", "assign", {"department": "commute"})]),
    ("online", "canteen", "机关院", "职工食堂晚餐品种少。", "", "", []),
    ("visit", "retiree", "东风小区", "离退休人员体检安排在工作日，行动不便的老人去不了。", "吴老师", "13612345604",
     [("supervisor", "assign", {"department": "retirees"}),
      ("retirees", "answer", {"reply": "已增加周六专场并安排车辆接送。"})]),
    ("hotline", "water_power", "西山小区", "水电表改造后电费明显上涨，请核实。", "郑先生", "13512345605", []),
]


def seed_petitions():
    """Register the demo petitions once and play their actions; return how many were made."""
    if Petition.select().exists():
        return 0
    people = {u.username: u for u in User.select()}
    for channel, category, area, content, name, phone, story in PETITIONS:
        petition = register(people["supervisor"], {"channel": channel, "category": category, "area": area,
                                                   "content": content, "resident_name": name,
                                                   "resident_phone": phone})
        for actor, action, data in story:
            petition = Petition.get_by_id(petition.id)
            perform(people[actor], petition, action, {**data, "version": petition.version})
    return len(PETITIONS)
