"""axe-core for the browser tests (WCAG 2.1 AA / EN 301 549): run a scan, apply the allow-list, write the report.

axe-core comes from the pinned PyPI package ``axe-playwright-python`` (requirements-dev.txt), which
bundles ``axe.min.js`` (axe-core 4.12.1); it is injected into the page with ``page.evaluate``.

A scan fails on *serious* and *critical* violations, except those in :data:`ALLOW_LIST`: findings
in Streamlit's own chrome (markup the app cannot change). Every finding, including moderate and minor
ones, is collected in :data:`FINDINGS` and written by :func:`write_report` to
``artifacts/screenshots/accessibility.json`` and ``accessibility.md`` at the end of the session
(tests/browser/conftest.py).

The pages of every role are scanned during the one page walk per role (conftest ``role_walk``);
tests/browser/test_accessibility.py reports the findings, the login page scan and the keyboard test.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# Serious/critical findings in Streamlit's own chrome that the app cannot change.
# Each entry: (axe rule id, regular expression, reason). The expression is matched against
# "<data-testid of the node's ancestors, outer to inner> :: <the node's CSS selector>", e.g.
# "stApp > stSidebar > stSidebarNav > stSidebarNavItems :: li:nth-child(2)". A node is only allowed
# when BOTH the rule and the expression match; nothing is skipped wholesale.
ALLOW_LIST: list[tuple[str, str, str]] = [
    # Streamlit's page menu (st.navigation) puts <div> wrappers between <ul> and <li>: markup of
    # Streamlit's sidebar, not ours. The links themselves are named and reachable by keyboard.
    ("list", r"\bstSidebarNav\b.* :: ", "Streamlit-paginamenu: <div> tussen <ul> en <li> (markup van Streamlit)"),
    ("listitem", r"\bstSidebarNav\b.* :: ", "Streamlit-paginamenu: <li> niet direct in <ul> (markup van Streamlit)"),
    # The sparkline of st.metric(chart_data=...) is a Vega chart whose point-marks group has
    # role=graphics-symbol without a name; Streamlit offers no way to label it. Its text alternative
    # is in the tile: value, change, and the eight quarter values in the help text (pages/kpibord.py).
    ("svg-img-alt", r"\bstMetric\b.* :: .*metric_chart_\w+_highlighted_points_marks",
     "sparkline van st.metric (Vega-markup van Streamlit); waarden staan als tekst in de tegel en de hulptekst"),
]

#: Every finding of every scan of this session (also the allowed and the moderate/minor ones).
FINDINGS: list[dict] = []
#: Where a scan ran ("<role>/<page key>", "anoniem/login"); the report is written only when one did.
SCANNED: list[str] = []


def _allowed(rule: str, where: str) -> str | None:
    for r, pattern, reason in ALLOW_LIST:
        if r == rule and re.search(pattern, where):
            return reason
    return None


def run_axe(page, where: str) -> list[dict]:
    """Inject axe-core, run it with the WCAG A/AA tags and return the blocking, not allow-listed nodes.

    ``where``: label of the page state ("<role>/<page key>"). Every node found is added to :data:`FINDINGS`.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => { const ctx = (t) => { if (t.length !== 1) return ''; let e = document.querySelector(t[0]);"
        " const ids = []; for (; e; e = e.parentElement) { const d = e.getAttribute && e.getAttribute('data-testid');"
        " if (d) ids.unshift(d); } return ids.join(' > '); };"
        " const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, helpUrl: v.helpUrl, tags: v.tags, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
        " html: n.html.slice(0, 300), summary: (n.failureSummary || '').slice(0, 400), context: ctx(n.target)}))})); }",
        WCAG_TAGS)
    SCANNED.append(where)
    blocking = []
    for v in result:
        for n in v["nodes"]:
            reason = _allowed(v["id"], f"{n['context']} :: {n['target']}")
            FINDINGS.append({"where": where, "rule": v["id"], "impact": v["impact"], "help": v["help"],
                             "target": n["target"], "context": n["context"], "html": n["html"], "summary": n["summary"],
                             "allowed": reason})
            if v["impact"] in BLOCKING and reason is None:
                blocking.append({"where": where, "rule": v["id"], "impact": v["impact"], "context": n["context"],
                                 "target": n["target"],
                                 "html": n["html"][:160]})
    return blocking


def write_report(shots: Path) -> None:
    """Write :data:`FINDINGS` to ``shots/accessibility.json`` and a table per rule to ``shots/accessibility.md``."""
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "accessibility.json").write_text(json.dumps(FINDINGS, indent=1, ensure_ascii=False), encoding="utf-8")
    per_rule: dict[tuple[str, str], dict] = {}
    for f in FINDINGS:
        e = per_rule.setdefault((f["rule"], f["impact"]), {"nodes": 0, "allowed": 0, "pages": set(), "help": f["help"]})
        e["nodes"] += 1
        e["allowed"] += f["allowed"] is not None
        e["pages"].add(f["where"].split("/", 1)[-1])
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    lines = ["# Toegankelijkheid: axe-core-bevindingen (WCAG 2.0/2.1 A en AA)", "",
             "| regel | impact | knooppunten | waarvan toegestaan | pagina's | omschrijving |", "|---|---|---|---|---|---|"]
    for (rule, impact), e in sorted(per_rule.items(), key=lambda kv: (order.get(kv[0][1], 9), kv[0][0])):
        lines.append(f"| {rule} | {impact} | {e['nodes']} | {e['allowed']} | {', '.join(sorted(e['pages']))} | {e['help']} |")
    if not per_rule:
        lines.append("| (geen) | | 0 | 0 | | |")
    lines += ["", "## Toegestane bevindingen (Streamlit zelf)", ""]
    lines += [f"- `{r}` op `{p}`: {why}" for r, p, why in ALLOW_LIST] or ["- (geen)"]
    (shots / "accessibility.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
