"""The reconciliation report as one self-contained HTML file (inline CSS and SVG, no scripts).

A merchant opens it to see, top to bottom: the verdict, the day's totals as the
terminal and the ledger count them, a chart of the day (sales and refunds per hour,
declines marked), the differences that need a look, and every transfer.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from payments.money import Money
from payments.reconcile import Finding, FindingKind, Reconciliation, Totals, Verdict
from payments.wire import from_iso_time

__all__ = ["HourBucket", "hourly", "render_html", "render_svg_chart", "zone_name"]

_KIND_LABEL = {
    FindingKind.MATCHED: "matched",
    FindingKind.LEDGER_ONLY: "only on the ledger",
    FindingKind.JOURNAL_ONLY: "only in the journal",
    FindingKind.AMOUNT_DIFFERS: "amount differs",
    FindingKind.STATUS_DIFFERS: "status differs",
    FindingKind.UNRESOLVED: "not settled yet",
}
_VERDICT_CLASS = {Verdict.AGREE: "ok", Verdict.DISAGREE: "bad", Verdict.UNCONFIRMED: "warn"}
_SALE, _REFUND, _DECLINE = "#2e7d32", "#ef6c00", "#c62828"
# The chart always shows at least a shop's day; hours with activity outside it widen it.
_DAY_START, _DAY_END = 8, 18


@dataclass(frozen=True, slots=True)
class HourBucket:
    """One hour of the day (on the shop's clock).

    Attributes:
        hour: 0-23.
        sales_minor: posted sales, minor units.
        refunds_minor: posted refunds, minor units.
        declines: declined payments (count).
    """

    hour: int
    sales_minor: int = 0
    refunds_minor: int = 0
    declines: int = 0


def _amount(money: Money, *, with_currency: bool = False) -> str:
    """``1234567.50`` as ``1,234,567.50`` (the currency code after it when asked)."""
    whole, _, frac = money.format().lstrip("-").partition(".")
    text = ("-" if money.minor < 0 else "") + f"{int(whole):,}" + (f".{frac}" if frac else "")
    return f"{text} {money.currency}" if with_currency else text


def _status(f: Finding) -> str:
    if f.ledger_status is not None:
        return f.ledger_status
    return {"approved": "posted", "declined": "declined"}.get(f.journal_state or "", "open")


def zone_name(tz: tzinfo) -> str:
    """The IANA name of a zone ("Europe/Berlin"), "UTC" for UTC."""
    return str(getattr(tz, "key", None) or tz)


def _local(at: str, tz: tzinfo) -> str:
    """A wire time as ``YYYY-MM-DD HH:MM:SS`` on the shop's clock ("" when it is not one)."""
    try:
        return from_iso_time(at).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""


def hourly(findings: Sequence[Finding], currency: str, tz: tzinfo = UTC) -> list[HourBucket]:
    """Sales, refunds and declines per hour of the shop's clock ``tz``, from the ledger's view
    where it has one."""
    sales, refunds, declines = [0] * 24, [0] * 24, [0] * 24
    for f in findings:
        amount = f.ledger_amount or f.journal_amount
        local = _local(f.at, tz)
        if amount is None or amount.currency != currency or not local:
            continue
        hour, status = int(local[11:13]), _status(f)
        if f.entry_kind == "debit" and status in {"posted", "pending"}:
            sales[hour] += amount.minor
        elif f.entry_kind == "refund" and status in {"posted", "pending"}:
            refunds[hour] += amount.minor
        elif f.entry_kind == "debit" and status == "declined":
            declines[hour] += 1
    return [HourBucket(h, sales[h], refunds[h], declines[h]) for h in range(24)]


def _nice_step(top: int) -> int:
    """A round axis step (1, 2, 5 x 10^n) giving four to five gridlines up to ``top``."""
    raw = max(top / 4, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for m in (1, 2, 5, 10):
        if m * magnitude >= raw:
            return int(m * magnitude)
    return int(10 * magnitude)


def render_svg_chart(
    buckets: Sequence[HourBucket], currency: str, *, width: int = 880, height: int = 300, zone: str = "UTC"
) -> str:
    """Grouped bars (sales, refunds) per hour and declines as red counts under the axis."""
    left, right, top, bottom = 78, 16, 34, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    active = [b.hour for b in buckets if b.sales_minor or b.refunds_minor or b.declines]
    first = max(0, min([*active, _DAY_START]) - 1)
    last = min(23, max([*active, _DAY_END]) + 1)
    buckets = [b for b in buckets if first <= b.hour <= last]
    peak = max([b.sales_minor for b in buckets] + [b.refunds_minor for b in buckets] + [1])
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    slot = plot_w / len(buckets)
    bar = slot * 0.36
    y0 = top + plot_h

    def y(value: int) -> float:
        return y0 - plot_h * value / ceiling

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Sales, refunds and declines per hour" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for value in range(0, ceiling + 1, step):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{"#999" if value == 0 else "#e3e3e3"}"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#555">'
            f"{_amount(Money(value, currency))}</text>"
        )
    parts.append(f'<text x="{left - 8}" y="{top - 14}" text-anchor="end" fill="#555">{currency}</text>')
    for b in buckets:
        x = left + slot * (b.hour - first)
        if b.sales_minor:
            parts.append(
                f'<rect x="{x + slot * 0.12:.1f}" y="{y(b.sales_minor):.1f}" width="{bar:.1f}" '
                f'height="{y0 - y(b.sales_minor):.1f}" fill="{_SALE}">'
                f"<title>{b.hour:02d}:00 sales {Money(b.sales_minor, currency)}</title></rect>"
            )
        if b.refunds_minor:
            parts.append(
                f'<rect x="{x + slot * 0.12 + bar:.1f}" y="{y(b.refunds_minor):.1f}" '
                f'width="{bar:.1f}" height="{y0 - y(b.refunds_minor):.1f}" fill="{_REFUND}">'
                f"<title>{b.hour:02d}:00 refunds {Money(b.refunds_minor, currency)}</title></rect>"
            )
        if b.declines:
            cx = x + slot / 2
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{y0 + 34}" r="9" fill="{_DECLINE}"/>'
                f'<text x="{cx:.1f}" y="{y0 + 38}" text-anchor="middle" fill="#fff" '
                f'font-weight="bold" font-size="11">{b.declines}</text>'
            )
        if len(buckets) <= 14 or b.hour % 2 == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{y0 + 16}" text-anchor="middle" fill="#555">'
                f"{b.hour:02d}</text>"
            )
    legend_y = 16
    for i, (label, colour) in enumerate(
        (("sales", _SALE), ("refunds", _REFUND), ("declines (count, under the hours)", _DECLINE))
    ):
        lx = left + i * 120
        shape = (
            f'<circle cx="{lx + 6}" cy="{legend_y - 4}" r="6" fill="{colour}"/>'
            if i == 2
            else f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(f'{shape}<text x="{lx + 18}" y="{legend_y}" fill="#333">{label}</text>')
    parts.append(
        f'<text x="{width - right}" y="{height - 6}" text-anchor="end" fill="#777">'
        f"hour of the day ({html.escape(zone)})</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:24px auto;max-width:960px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.sub{color:#666;margin:0 0 16px}
.verdict{padding:14px 18px;border-radius:6px;font-size:18px;font-weight:bold;margin:12px 0}
.verdict small{display:block;font-weight:normal;font-size:14px;margin-top:4px}
.ok{background:#e8f5e9;border:2px solid #2e7d32;color:#1b5e20}
.bad{background:#ffebee;border:2px solid #c62828;color:#b71c1c}
.warn{background:#fff8e1;border:2px solid #f9a825;color:#6d4c00}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top}
th{background:#f5f5f5} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.diff td{background:#fff3f3} tr.open td{background:#fffbe6}
.tag{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;white-space:nowrap}
.tag.matched{background:#e8f5e9;color:#1b5e20} .tag.unresolved{background:#fff3c4;color:#6d4c00}
.tag.differs{background:#ffcdd2;color:#b71c1c}
.mono{font-family:Menlo,Consolas,monospace;font-size:12px}
.none{color:#2e7d32;font-weight:bold}
.absent{color:#b71c1c;font-style:italic}
table.totals td,table.totals th{width:25%} table.totals tr.net th{border-top:2px solid #999}
table.findings td.mono{max-width:150px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
td.note{min-width:230px}
"""


def _cell(count: int, minor: int | None, currency: str) -> str:
    amount = "" if minor is None else f"<br><b>{_amount(Money(minor, currency), with_currency=True)}</b>"
    return f"{count}{amount}"


def _totals_rows(rec: Reconciliation) -> str:
    rows = []
    for currency in sorted(set(rec.journal_totals) | set(rec.ledger_totals or {})):
        j = rec.journal_totals.get(currency, Totals(currency))
        lg = (rec.ledger_totals or {}).get(currency)
        for label, name in (
            ("Sales", "sales"),
            ("Refunds", "refunds"),
            ("Voided sales", "voids"),
            ("Declined payments", "declines"),
        ):
            (jc, jm), money = getattr(j, name), name != "declines"
            ledger_cell, diff_cell, cls = "–", "", ""
            if lg is not None:
                lc, lm = getattr(lg, name)
                ledger_cell = _cell(lc, lm if money else None, currency)
                if money and (lc, lm) != (jc, jm):
                    cls = ' class="diff"'
                    diff = _amount(Money(lm - jm, currency), with_currency=True)
                    diff_cell = f"{lc - jc:+d}<br><b>{diff}</b>"
                elif money:
                    diff_cell = "—"
            terminal_cell = _cell(jc, jm if money else None, currency)
            rows.append(
                f'<tr{cls}><td>{label}</td><td class="num">{terminal_cell}</td>'
                f'<td class="num">{ledger_cell}</td><td class="num">{diff_cell}</td></tr>'
            )
        net_l = "–" if lg is None else _amount(lg.net, with_currency=True)
        net_d = (
            "" if lg is None else ("—" if lg.net == j.net else _amount(lg.net - j.net, with_currency=True))
        )
        rows.append(
            f'<tr class="net"><th>Net (sales − refunds)</th>'
            f'<th class="num">{_amount(j.net, with_currency=True)}</th>'
            f'<th class="num">{net_l}</th><th class="num">{net_d}</th></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="4">No transfers on this day.</td></tr>')
    return "".join(rows)


def _side(state: str | None, amount: Money | None) -> str:
    if state is None:
        return '<span class="absent">not there</span>'
    money = f"<br>{_amount(amount, with_currency=True)}" if amount is not None else ""
    return f"{html.escape(state)}{money}"


def _finding_row(f: Finding, tz: tzinfo) -> str:
    e = html.escape
    cls = (
        ""
        if f.kind == FindingKind.MATCHED
        else (' class="open"' if f.kind == FindingKind.UNRESOLVED else ' class="diff"')
    )
    tag = (
        "matched"
        if f.kind == FindingKind.MATCHED
        else ("unresolved" if f.kind == FindingKind.UNRESOLVED else "differs")
    )
    return (
        f'<tr{cls}><td class="mono">{e(_local(f.at, tz)[11:19])}</td>'
        f'<td><span class="tag {tag}">{e(_KIND_LABEL[f.kind])}</span><br>{e(f.entry_kind)}</td>'
        f'<td class="mono" title="{e(f.transfer_id)}">{e(f.transfer_id)}</td>'
        f"<td>{e(f.customer_id or '')}</td>"
        f'<td class="num">{_side(f.journal_state, f.journal_amount)}</td>'
        f'<td class="num">{_side(f.ledger_status, f.ledger_amount)}</td>'
        f'<td class="note">{e(f.note)}</td></tr>'
    )


def _findings_table(findings: Sequence[Finding], tz: tzinfo) -> str:
    head = (
        "<tr><th>Time</th><th>Finding</th><th>Transfer</th><th>Customer</th>"
        '<th class="num">Terminal says</th><th class="num">Ledger says</th>'
        "<th>What it means</th></tr>"
    )
    return f'<table class="findings">{head}{"".join(_finding_row(f, tz) for f in findings)}</table>'


def render_html(rec: Reconciliation, *, generated_at: str = "", tz: tzinfo = UTC) -> str:
    """The whole report for one reconciliation, its times on the shop's clock ``tz``."""
    e = html.escape
    currency = next(iter(rec.ledger_totals or rec.journal_totals), "EUR")
    differences = [f for f in rec.findings if f.is_difference]
    chart = render_svg_chart(hourly(rec.findings, currency, tz), currency, zone=zone_name(tz))
    head, _, rest = rec.verdict_text.partition(": ")
    diff_html = (
        _findings_table(differences, tz)
        if differences
        else '<p class="none">None: every transfer matches.</p>'
    )
    counts = ", ".join(f"{rec.count(k)} {_KIND_LABEL[k]}" for k in FindingKind if rec.count(k))
    generated = f" · generated {e(generated_at)}" if generated_at else ""
    source = "ledger" if rec.ledger_totals is not None else "terminal journal (ledger unreachable)"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Reconciliation {e(rec.day)} – terminal {e(rec.terminal_id)}</title>
<style>{_CSS}</style></head>
<body>
<h1>Reconciliation for {e(rec.day)}</h1>
<p class="sub">Terminal <b>{e(rec.terminal_id)}</b> · times in {e(zone_name(tz))}{generated}</p>
<div class="verdict {_VERDICT_CLASS[rec.verdict]}">{e(head.capitalize())}<small>{e(rest)}</small></div>
<h2>Totals</h2>
<table class="totals"><tr><th></th><th class="num">Terminal</th><th class="num">Ledger</th>
<th class="num">Difference<br><small>ledger − terminal</small></th></tr>{_totals_rows(rec)}</table>
<h2>The day, hour by hour</h2>
<p class="sub">From the {source}.</p>
{chart}
<h2>Needs a look ({len(differences)})</h2>
{diff_html}
<h2>All transfers ({len(rec.findings)}: {e(counts) or "none"})</h2>
{_findings_table(rec.findings, tz) if rec.findings else "<p>No transfers on this day.</p>"}
</body></html>
"""
