"""The printable dossier page (one A4 sheet per cadre), rendered from a ``DossierOut``."""

from __future__ import annotations

from html import escape

from backend.commendation.schemas import DossierOut

__all__ = ["render", "render_many"]

_KINDS = {"visit": "走访", "meeting": "会议", "project": "项目", "training": "培训",
          "duty": "值班", "mediation": "调解", "other": "其他"}
_FLAGS = {"outside_fence": "村界外", "low_accuracy": "定位精度低", "no_location": "无定位",
          "time_skew": "时间不符", "future_time": "时间超前", "impossible_speed": "移动过快",
          "photo_reused": "照片重复", "zero_accuracy": "精度为零"}

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
 margin:24px;color:#222;line-height:1.5}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border:1px solid #bbb;padding:3px 6px}
th{background:#f2f2f2;text-align:left} .ok{color:#1a7f37} .no{color:#b42318} .muted{color:#666}
@media print{body{margin:10mm} @page{size:A4;margin:12mm} h2{break-after:avoid}
 table{break-inside:avoid} section+section{break-before:page}}
section+section{margin-top:32px;border-top:2px solid #999;padding-top:12px}
"""


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in pairs)


def _section(d: DossierOut) -> str:
    e = d.eligibility
    verdict = ('<span class="ok">符合评选条件</span>' if e.eligible
               else '<span class="no">暂不符合评选条件</span>')
    months = _rows([(m, f"{n} 天") for m, n in d.confirmed_by_month.items()]) or \
        '<tr><td class="muted">尚无确认的月份</td></tr>'
    kinds = _rows([(_KINDS.get(k, k), f"{n} 条") for k, n in d.logs_by_kind.items()]) or \
        '<tr><td class="muted">尚无日志</td></tr>'
    flags = _rows([(_FLAGS.get(k, k), f"{n} 次") for k, n in d.flags_by_code.items()]) or \
        '<tr><td class="muted">无</td></tr>'
    talks = _rows([(t["date"], t["summary"]) for t in d.talks]) or \
        '<tr><td class="muted">本年尚无谈心谈话记录</td></tr>'
    leave = _rows([(f"{x['start_date']} 至 {x['end_date']}", f"{x['days']} 天")
                   for x in d.approved_leave]) or '<tr><td class="muted">无</td></tr>'
    reasons = "".join(f"<li>{escape(r)}</li>" for r in e.reasons)
    return f"""<section><h1>{escape(d.name)} · {d.year} 年度驻村工作档案</h1>
<div class="muted">{escape(d.village_name)}（{escape(d.village_code)}） ·
 由系统据已录入的记录自动汇总，未另行填报</div>
<h2>评选资格 {verdict}</h2><ul>{reasons}</ul>
<table>{_rows([("确认驻村天数", f"{e.confirmed_days} 天"), ("应驻天数", f"{e.required_days} 天"),
               ("本年驻村期", f"{e.posted_days} 天")])}</table>
<h2>每月确认驻村天数</h2><table>{months}</table>
<h2>工作日志（按类别）</h2><table>{kinds}</table>
<h2>入户走访</h2><table>{_rows([
        ("走访农户", f"{d.households_visited} 户 / 全村 {d.households_in_village} 户"),
        ("覆盖率", f"{d.coverage_percent}%"), ("佐证照片", f"{d.photos} 张"),
        ("带提示的日志", f"{d.flagged_logs} 条")])}</table>
<h2>核验提示（仅供参考，不影响评选）</h2><table>{flags}</table>
<h2>谈心谈话</h2><table>{talks}</table>
<h2>经批准的请假</h2><table>{leave}</table>
</section>"""


def render(d: DossierOut) -> str:
    """HTML for printing; every value escaped, no script, no external resources."""
    return _page(f"{d.name} {d.year} 年度驻村工作档案", [d])


def render_many(title: str, dossiers: list[DossierOut]) -> str:
    """A unit's dossiers in one printable document, each cadre on its own page."""
    return _page(title, dossiers)


def _page(title: str, dossiers: list[DossierOut]) -> str:
    body = "".join(_section(d) for d in dossiers) or '<p class="muted">无符合条件的人员</p>'
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            f"{body}</body></html>")
