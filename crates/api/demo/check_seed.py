#!/usr/bin/env python3
"""Check the demo data against the seed report, table by table.

Re-reads the seed text (tables 1-5 and section 6.2) and the drafts in this directory, and
checks that every printed count and percentage is stored with the right unit, element and
value, that every blank cell stays absent, and that every target cell of 6.2 is present as
printed. It then evaluates the draft the way the engine will (aggregates over the subtree,
indicators, targets, validation rules, scores, milestone flags) and checks that each
validation rule flags exactly the inconsistencies of docs/seed-audit.md it is meant to.

Standard library only. Exit status 0 when everything matches, 1 on any mismatch.

    python3 crates/api/demo/check_seed.py [--seed PATH] [--verbose]
"""
import argparse
import json
import os
import re
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SEED = os.path.join(HERE, "..", "..", "..", "tests", "fixtures", "seed-vungtau-2023-9m.txt")
P9 = "2023-01/2023-09"

problems = []


def fail(msg):
    problems.append(msg)


# --------------------------------------------------------------------------------------
# Reading the seed
# --------------------------------------------------------------------------------------
def read_seed(path):
    return open(path, encoding="utf-8").read().split("\n")


def section(lines, start_prefix, end_prefix):
    s = next(i for i, l in enumerate(lines) if l.startswith(start_prefix))
    e = next(i for i, l in enumerate(lines) if i > s and l.startswith(end_prefix))
    return lines[s:e]


def data_rows(block):
    """Rows of a printed table: tab-separated lines whose first cell is a row number."""
    rows = []
    for l in block:
        if "\t" not in l:
            continue
        f = l.split("\t")
        if re.fullmatch(r"\d+|I|II", f[0].strip()):
            rows.append(f)
    return rows


SEED_TABLES = {  # code -> (start line prefix, end line prefix, number of printed value columns)
    "T1": ("1. Phần mềm", "2. Chữ ký số", 4),
    "T2": ("2. Chữ ký số", "3. Kết quả số hóa", 6),
    "T3": ("3. Kết quả số hóa", "4. HTTT", 3),
    "T4A": ("a) HTTT Một cửa", "b) Cổng Dịch vụ công", 3),
    "T4B": ("b) Cổng Dịch vụ công", "5. Thanh toán", 7),
    "T5A": ("a) Số thủ tục", "b) Số giao dịch", 6),
    "T5B": ("b) Số giao dịch", "6. Kết quả thực hiện", 6),
}


def seed_criteria(lines):
    block = section(lines, "6.2. ", "7. Tiến độ")
    out, group, cur = {}, None, None
    for l in block:
        if not l.strip() or "\t" not in l:
            continue
        f = l.split("\t")
        if f[0].startswith("---") or f[0] == "STT":
            continue
        m = re.match(r"(I|II|III|IV|V)\. ", f[0])
        if m:
            group = m.group(1)
            continue
        if len(f) == 5:
            f = [""] + f
        if f[0].strip().isdigit():
            code = "%s.%02d" % (group, int(f[0]))
            cur = {"group": group, "name": f[1], "cells": f[2:5], "result": f[5]}
            out[code] = cur
        else:
            def join(a, b):
                a, b = a.strip(), b.strip()
                return (a + " " + b).strip() if a and b else (a or b)
            cur["name"] = join(cur["name"], f[1])
            cur["cells"] = [join(a, b) for a, b in zip(cur["cells"], f[2:5])]
            cur["result"] = join(cur["result"], f[5])
    return out


def printed_count(s):
    """A printed count: '.' separates thousands ('4.602' is 4602); '09' is 9."""
    s = s.strip()
    if not re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", s):
        raise ValueError("not a count: %r" % s)
    return int(s.replace(".", ""))


def printed_percent(s):
    """A printed percentage: '98.27%' and '90,2%' are 98.27 and 90.2."""
    s = s.strip()
    m = re.fullmatch(r"(\d+(?:[.,]\d+)?)%", s)
    if not m:
        raise ValueError("not a percentage: %r" % s)
    return F(m.group(1).replace(",", "."))


# --------------------------------------------------------------------------------------
# Reading the draft
# --------------------------------------------------------------------------------------
def load_draft():
    md = json.load(open(os.path.join(HERE, "vungtau-metadata.json"), encoding="utf-8"))
    md["tables"] = json.load(open(os.path.join(HERE, "vungtau-tables.json"), encoding="utf-8"))["tables"]
    fig = json.load(open(os.path.join(HERE, "vungtau-2023-9m.json"), encoding="utf-8"))
    rep = json.load(open(os.path.join(HERE, "vungtau-reports.json"), encoding="utf-8"))
    return md, fig, rep


class Store:
    """The figures of the draft, as the engine will hold them."""

    def __init__(self, md, fig):
        self.units = {u["code"]: u for u in md["org_units"]}
        self.elements = {e["code"]: e for e in md["data_elements"]}
        self.children = {}
        for u in md["org_units"]:
            self.children.setdefault(u.get("parent"), []).append(u["code"])
        self.values = {}  # (unit, element) -> value
        self.states = {}  # (unit, element) -> state
        self.comments = {}
        for v in fig["data_values"]:
            unit = v.get("org_unit", fig.get("org_unit"))
            period = v.get("period", fig.get("period"))
            if period != P9:
                fail("figure %s/%s has period %s, not %s" % (unit, v["data_element"], period, P9))
            key = (unit, v["data_element"])
            if key in self.values or key in self.states:
                fail("figure %s/%s is stored twice" % key)
            if unit not in self.units:
                fail("figure on unknown unit %s" % unit)
            if v["data_element"] not in self.elements:
                fail("figure of unknown element %s" % v["data_element"])
            if "state" in v:
                self.states[key] = v["state"]
            else:
                self.values[key] = v["value"]
            self.comments[key] = v.get("comment") or ""
            if not self.comments[key]:
                fail("figure %s/%s has no comment citing its source" % key)

    def subtree(self, unit):
        out, stack = [], [unit]
        while stack:
            u = stack.pop()
            out.append(u)
            stack.extend(self.children.get(u, []))
        return out

    def ancestors(self, unit):
        chain = [unit]
        while self.units[chain[-1]].get("parent"):
            chain.append(self.units[chain[-1]]["parent"])
        return chain

    def own(self, unit, element):
        v = self.values.get((unit, element))
        if v is None:
            return None
        if isinstance(v, bool):
            return F(int(v))
        if isinstance(v, (int, float)):
            return F(str(v))
        return None  # text

    def aggregate(self, unit, element):
        agg = self.elements[element]["aggregation"]
        if agg == "none":
            return self.own(unit, element)
        vals = [self.own(u, element) for u in self.subtree(unit)]
        vals = [v for v in vals if v is not None]
        if not vals:
            return None
        if agg == "average":
            return sum(vals) / len(vals)
        return sum(vals)  # sum, and last (one stored period per unit here)


# --------------------------------------------------------------------------------------
# Expressions: #{CODE}, numbers, + - * /, parentheses (the engine's semantics)
# --------------------------------------------------------------------------------------
TOKEN = re.compile(r"\s*(#\{[A-Za-z0-9_.\-]+\}|\d+(?:\.\d+)?|[()+\-*/])")


def parse_expr(src):
    toks, pos = [], 0
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m:
            if src[pos:].strip() == "":
                break
            raise ValueError("bad expression %r" % src)
        toks.append(m.group(1))
        pos = m.end()
    i = 0

    def peek():
        return toks[i] if i < len(toks) else None

    def take():
        nonlocal i
        i += 1
        return toks[i - 1]

    def atom():
        t = take()
        if t == "(":
            e = expr()
            assert take() == ")"
            return e
        if t == "-":
            return ("neg", atom())
        if t.startswith("#{"):
            return ("ref", t[2:-1])
        return ("const", F(t))

    def term():
        e = atom()
        while peek() in ("*", "/"):
            e = (take(), e, atom())
        return e

    def expr():
        e = term()
        while peek() in ("+", "-"):
            e = (take(), e, term())
        return e

    tree = expr()
    if i != len(toks):
        raise ValueError("bad expression %r" % src)
    return tree


def refs(tree):
    if tree[0] == "ref":
        return [tree[1]]
    if tree[0] == "const":
        return []
    if tree[0] == "neg":
        return refs(tree[1])
    return refs(tree[1]) + refs(tree[2])


def evaluate(src, lookup):
    """None when the expression has references and none has a value; missing ones count 0."""
    tree = parse_expr(src)
    rs = refs(tree)
    vals = {r: lookup(r) for r in rs}
    if rs and all(v is None for v in vals.values()):
        return None

    def ev(t):
        if t[0] == "ref":
            return vals[t[1]] or F(0)
        if t[0] == "const":
            return t[1]
        if t[0] == "neg":
            return -ev(t[1])
        a, b = ev(t[1]), ev(t[2])
        if a is None or b is None:
            return None
        if t[0] == "+":
            return a + b
        if t[0] == "-":
            return a - b
        if t[0] == "*":
            return a * b
        return None if b == 0 else a / b

    return ev(tree)


OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
       "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


# --------------------------------------------------------------------------------------
# Periods (enough for the targets of the draft)
# --------------------------------------------------------------------------------------
def months(p):
    if re.fullmatch(r"\d{4}", p):
        y = int(p)
        return (y * 12, y * 12 + 11)
    m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", p)
    if m:
        return (int(m.group(1)) * 12 + int(m.group(2)) - 1, int(m.group(3)) * 12 + int(m.group(4)) - 1)
    m = re.fullmatch(r"(\d{4})H([12])", p)
    if m:
        y, h = int(m.group(1)), int(m.group(2))
        return (y * 12 + 6 * (h - 1), y * 12 + 6 * h - 1)
    m = re.fullmatch(r"(\d{4})Q([1-4])", p)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        return (y * 12 + 3 * (q - 1), y * 12 + 3 * q - 1)
    m = re.fullmatch(r"(\d{4})-(\d{2})", p)
    if m:
        i = int(m.group(1)) * 12 + int(m.group(2)) - 1
        return (i, i)
    raise ValueError(p)


def contains(outer, inner):
    a, b = months(outer)
    c, d = months(inner)
    return a <= c and d <= b


def applicable_targets(md, store, indicator, unit, period):
    chain = store.ancestors(unit)
    best = {}
    for t in md["targets"]:
        if t["indicator"] != indicator or t["org_unit"] not in chain or "value" not in t:
            continue
        if not contains(t["period"], period):
            continue
        a, b = months(t["period"])
        cur = best.get(t["org_unit"])
        if cur is None:
            best[t["org_unit"]] = t
        else:
            c, d = months(cur["period"])
            if (b - a, -a) < (d - c, -c):
                best[t["org_unit"]] = t
    return [best[u] for u in reversed(chain) if u in best]


def indicator_row(md, store, ind, unit, period=P9):
    look = lambda e: store.aggregate(unit, e)
    num = evaluate(ind["numerator"], look)
    den = evaluate(ind["denominator"], look)
    value = None
    if num is not None and den is not None and den != 0:
        value = F(str(ind.get("factor", 1))) * num / den
    ts = applicable_targets(md, store, ind["code"], unit, period)
    met = [OPS[t["operator"]](value, F(str(t["value"]))) for t in ts] if value is not None else []
    if value is None:
        status = "no_data"
    elif not ts:
        status = "no_target"
    else:
        status = "met" if all(met) else "not_met"
    return {"numerator": num, "denominator": den, "value": value, "targets": ts, "status": status}


def status_of(value, ts):
    if value is None:
        return "no_data"
    if not ts:
        return "no_target"
    return "met" if all(OPS[t["operator"]](value, F(str(t["value"]))) for t in ts) else "not_met"


# --------------------------------------------------------------------------------------
# Validation rules, as the engine will evaluate them (per unit holding figures)
# --------------------------------------------------------------------------------------
def evaluate_rules(md, store):
    out = []
    holders = {}
    for (u, e) in store.values:
        holders.setdefault(e, set()).add(u)
    inds = {i["code"]: i for i in md["indicators"]}
    for r in md["validation_rules"]:
        if r.get("check") == "stated_status":
            el = parse_expr(r["stated"])
            units = sorted(set().union(*[holders.get(x, set()) for x in refs(el)]))
            for u in units:
                stated = evaluate(r["stated"], lambda e: store.own(u, e))
                row = indicator_row(md, store, inds[r["indicator"]], u)
                ts = row["targets"]
                if stated is None or row["value"] is None or not ts:
                    continue
                s1, s2 = status_of(stated, ts), row["status"]
                if s1 != s2:
                    out.append((r["code"], u, stated, "status", row["value"], "stated %s, computed %s" % (s1, s2)))
            continue
        lt, rt = parse_expr(r["left"]), parse_expr(r["right"])
        scopes = {"left": r.get("left_scope", "own"), "right": r.get("right_scope", "own")}
        own_refs = set()
        for side, t in (("left", lt), ("right", rt)):
            if scopes[side] == "own":
                own_refs |= set(refs(t))
        units = sorted(set().union(*[holders.get(x, set()) for x in own_refs])) if own_refs else []
        for u in units:
            def side(src, scope):
                look = (lambda e: store.own(u, e)) if scope == "own" else (lambda e: store.aggregate(u, e))
                return evaluate(src, look)
            lv, rv = side(r["left"], scopes["left"]), side(r["right"], scopes["right"])
            if lv is None or rv is None:
                continue
            tol = F(str(r["tolerance"])) if "tolerance" in r else None
            op = r["operator"]
            if tol is not None and op == "==":
                holds = abs(lv - rv) <= tol
            else:
                holds = OPS[op](lv, rv)
            if not holds:
                out.append((r["code"], u, lv, op, rv, r["name"]))
    return out


# Which rule flags which inconsistency of docs/seed-audit.md, at which unit. Anything else
# flagged, or any of these not flagged, is a mismatch.
EXPECTED_VIOLATIONS = {
    ("PAY_OK_LE_TOTAL", "VT-UBND"): 1,
    ("STATED.T5B.3", "VT-UBND"): 1,
    ("STATED.III.03", "VT"): 2,
    ("XT.III.06.D_EQ_ADULT_POP", "VT"): 3,
    ("STATED.III.09", "VT"): 5,
    ("STATED.II.02", "VT"): 6,
    ("CLAIM.II.02", "VT"): 6,
    ("STATED.III.15.MERIT", "VT"): 7,
    ("CLAIM.III.14", "VT"): 8,
    ("XT.I.07.N_EQ_T4B", "VT-UBND"): 10,
    ("XT.I.07.D_EQ_T4B", "VT-UBND"): 10,
    ("XT.I.08.N_EQ_T4B", "VT-UBND"): 10,
    ("XT.I.08.D_EQ_T4B", "VT-UBND"): 10,
    ("XT.I.01.N_EQ_T4B", "VT-UBND"): 11,
    ("XT.I.02.D_EQ_T4B", "VT-UBND"): 11,
    ("PW.T5A.FEES_LE_TOTAL", "VT-PX"): 12,
    ("STATED.T5A.6", "VT-UBND"): 12,
    ("STATED.T5A.6", "VT-PX"): 12,
    ("PW.T5B.OK_LE_FEE_DOSSIERS", "VT-UBND"): 13,
    ("PW.T5B.OK_LE_FEE_DOSSIERS", "VT-PX"): 13,
    ("XT.T4B_LE_T4A", "VT-UBND"): 14,
    ("XT.T4B_LE_T4A", "VT-PX"): 14,
    ("TOT.T1.I.DOC_OUT_SW", "VT-UBND"): 15,
    ("TOT.T1.I.DOC_IN_SW", "VT-UBND"): 15,
    ("TOT.T1.I.DOC_OUT_PAPER", "VT-UBND"): 15,
    ("TOT.T1.I.DOC_IN_PAPER", "VT-UBND"): 15,
    ("XT.I.03.D_EQ_T5B", "VT-UBND"): 20,
    ("STATED.III.01", "VT"): 21,
    ("STATED.I.09", "VT"): 21,
    ("STATED.I.12", "VT"): 21,
}
# Detected outside validation rules (entry checks, milestone flags) or not by arithmetic.
OTHER_DETECTION = {
    4: "at entry: «421.62» is not an integer in Vietnamese format (3-digit groups); stored 421 620 with a note",
    9: "not arithmetic: the counts are consistent with «over 8.5 %» but measure something else",
    16: "at entry: separators read, «09»/«00» normalised, blank kept absent, «Pường» corrected",
    17: "at entry: text in an integer column is refused; kept as a text figure",
    18: "milestone flag out_of_order on IOC-VT M5",
    19: "not arithmetic: a target value and an answer's meaning",
    22: "not arithmetic: numbering, decision numbers, a target in a criterion's name",
}


def fmt(x):
    if x is None:
        return "—"
    if isinstance(x, F):
        if x.denominator == 1:
            return str(x.numerator)
        return "%.4f" % float(x)
    return str(x)


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------
ALIASES = {"Phòng LĐTB và XH": "Phòng Lao động – Thương binh và Xã hội",
           "UBND TP. Vũng Tàu": "UBND thành phố Vũng Tàu"}


def unit_by_name(store, printed):
    name = printed.strip()
    name = re.sub(r"^Pường ", "Phường ", name)  # the report's misspelling, ×17
    name = ALIASES.get(name, name)
    hits = [c for c, u in store.units.items() if u["name"] == name]
    return hits[0] if len(hits) == 1 else None


def check_tables(lines, md, store, counts, verbose):
    tables = {t["code"]: t for t in md["tables"]}
    for code, (start, end, ncols) in SEED_TABLES.items():
        t = tables.get(code)
        if t is None:
            fail("table %s missing from the draft" % code)
            continue
        rows = data_rows(section(lines, start, end))
        seed_cols = t["columns"][:ncols]
        elements = []
        for c in seed_cols:
            m = re.fullmatch(r"#\{([A-Za-z0-9_.\-]+)\}", c.get("expression", ""))
            if not m:
                fail("table %s column %r is not a single element" % (code, c["label"]))
                elements.append(None)
            else:
                elements.append(m.group(1))
        if len(rows) != len(t["units"]):
            fail("table %s: %d printed rows, %d units in the draft" % (code, len(rows), len(t["units"])))
        n_counts = n_pct = n_text = n_blank = 0
        for idx, (row, unit) in enumerate(zip(rows, t["units"])):
            cells = (row[2:] + [""] * ncols)[:ncols]
            if code == "T1":
                by_name = unit_by_name(store, row[1])
                if by_name != unit:
                    fail("T1 row %r is %s in the draft, %s by name" % (row[1], unit, by_name))
            for col, (cell, element) in enumerate(zip(cells, elements), start=1):
                cell = cell.strip()
                where = "%s row %d (%s) col %d" % (code, idx + 1, unit, col)
                if element is None:
                    continue
                target_el = element
                if code == "T1" and row[0] == "I":
                    target_el = element + "_ROW_I"  # stated total of row I (audit #15)
                if cell == "":
                    n_blank += 1
                    if (unit, target_el) in store.values or (unit, target_el) in store.states:
                        if code == "T1" and row[0] == "II":
                            fail("%s: row II is blank in the seed but %s holds %s" % (where, unit, target_el))
                        else:
                            fail("%s: blank in the seed but stored" % where)
                    continue
                if code == "T3" and cell == "24 loại":
                    n_text += 1
                    if (unit, element) in store.values:
                        fail("%s: «24 loại» must not be stored as a count" % where)
                    if store.values.get((unit, "DIGI_LOOKUP_DOSSIERS_TEXT")) != "24 loại":
                        fail("%s: text «24 loại» not kept as DIGI_LOOKUP_DOSSIERS_TEXT" % where)
                    continue
                if code == "T5A" and col == 5:
                    n_counts += 1  # a count column holding a percentage (audit #12)
                    if (unit, element) in store.values:
                        fail("%s: «%s» must not be stored as a count" % (where, cell))
                    got = store.own(unit, "FEE_PROC_PAID_ONLINE_AS_PCT")
                    if got != printed_percent(cell):
                        fail("%s: printed %s kept as %s" % (where, cell, fmt(got)))
                    continue
                if cell.endswith("%"):
                    n_pct += 1
                    want = printed_percent(cell)
                else:
                    n_counts += 1
                    want = F(printed_count(cell))
                got = store.own(unit, target_el)
                if got != want:
                    fail("%s: printed %s, draft %s/%s = %s" % (where, cell, unit, target_el, fmt(got)))
                elif verbose:
                    print("  ok %-28s %-10s %-26s %s" % (where, unit, target_el, cell))
        counts[code] = (n_counts, n_pct, n_text, n_blank)


# Each printed number of the result column, in order: (token as printed, unit, element) or
# (token, None, reason) for numbers that are not figures (dates, decision numbers, years).
R62 = {
    "I.01": [("100%", "VT-UBND", "I.01.PCT"), ("304", "VT-UBND", "I.01.N"), ("304", "VT-UBND", "I.01.D")],
    "I.02": [("100%", "VT-UBND", "I.02.PCT"), ("304", "VT-UBND", "I.02.N"), ("304", "VT-UBND", "I.02.D")],
    "I.03": [("100%", "VT-UBND", "I.03.PCT"), ("55", "VT-UBND", "I.03.N"), ("55", "VT-UBND", "I.03.D")],
    "I.04": [("100%", "VT-UBND", "I.04.PCT"), ("55", "VT-UBND", "I.04.N"), ("55", "VT-UBND", "I.04.D")],
    "I.05": [("22.4%", "VT", "I.05.PCT"), ("118.103", "VT", "I.05.N"), ("527.025", "VT", "POP")],
    "I.06": [("50.07%", "VT", "I.06.PCT")],
    "I.07": [("98.27%", "VT-UBND", "I.07.PCT"), ("23.391", "VT-UBND", "I.07.N"), ("23.802", "VT-UBND", "I.07.D")],
    "I.08": [("98.27%", "VT-UBND", "I.08.PCT"), ("23.391", "VT-UBND", "I.08.N"), ("23.802", "VT-UBND", "I.08.D")],
    "I.09": [("34%", "VT", "I.09.PCT"), ("18", "VT", "I.09.N"), ("52", "VT", "I.09.D")],
    "I.10": [("03", "VT", "I.10.CLASSES")],
    "I.11": [("12/2023", None, "a month")],
    "I.12": [("39%", "VT", "I.12.PCT"), ("202", "VT", "I.12.N"), ("511", "VT", "OFFICIALS")],
    "I.13": [("7", "VT", "I.13.EQUIP"), ("17", "VT", "I.13.N"), ("17", "VT", "I.13.D")],
    "I.14": [("54.99%", "VT", "I.14.PCT"), ("281", "VT", "I.14.N"), ("511", "VT", "I.14.D")],
    "II.01": [("8.5%", "VT", "II.01.PCT"), ("420", "VT", "II.01.N"), ("900", "VT", "ENT_TOTAL")],
    "II.02": [("90%", "VT", "II.02.PCT"), ("850", "VT", "II.02.N"), ("900", "VT", "ENT_TOTAL")],
    "II.03": [("8.5%", "VT", "II.03.PCT"), ("5", "VT", "II.03.TELCO_N"), ("5", "VT", "II.03.TELCO_D"),
              ("400", "VT", "II.03.LODGING_N"), ("760", "VT", "II.03.LODGING_D")],
    "II.04": [("100%", "VT", "II.04.PCT"), ("876", "VT", "II.04.N"), ("876", "VT", "II.04.D")],
    "II.05": [("52%", "VT", "II.05.PCT"), ("470", "VT", "II.05.N"), ("900", "VT", "ENT_TOTAL")],
    "II.06": [("193", "VT", "II.06.FARM_HH"), ("04", "VT", "II.06.OCOP_FILED")],
    "III.01": [("67.17%", "VT", "III.01.PCT"), ("354.053", "VT", "III.01.N"), ("527.025", "VT", "POP")],
    "III.02": [("100%", "VT", "III.02.PCT"), ("89.035", "VT", "III.02.N"), ("89.035", "VT", "HH_TOTAL")],
    "III.03": [("54.03%", "VT", "III.03.PCT"), ("118.103", "VT", "III.03.N"), ("142.378", "VT", "ADULT_POP")],
    "III.04": [],
    "III.05": [("80%", "VT", "III.05.PCT"), ("421.62", "VT", "III.05.N"), ("527.025", "VT", "POP")],
    "III.06": [("60%", "VT", "III.06.PCT"), ("316.215", "VT", "III.06.N"), ("527.025", "VT", "III.06.D")],
    "III.07": [("14.3", None, "a criterion number"), ("2021-2025", None, "years"), ("05/5/2023", None, "a date")],
    "III.08": [("27.520", "VT", "III.08.N"), ("60.150", "VT", "III.08.D")],
    "III.09": [("90,2%", "VT", "III.09.PCT"), ("81.930", "VT", "III.09.N"), ("89.035", "VT", "HH_TOTAL")],
    "III.11": [],
    "III.12": [("89,43%", "VT", "III.12.PCT"), ("79.624", "VT", "III.12.N"), ("89.035", "VT", "HH_TOTAL")],
    "III.13": [("87%", "VT", "III.13.PCT"), ("77.420", "VT", "III.13.N"), ("89.035", "VT", "HH_TOTAL")],
    "III.14": [("80%", "VT", "III.14.PCT"), ("898", "VT", "III.14.N"), ("1123", "VT", "III.14.D")],
    "III.15": [("1.147", "VT", "III.15.MERIT_N"), ("2.154", "VT", "III.15.MERIT_D"), ("54%", "VT", "III.15.MERIT_PCT"),
               ("2.265", "VT", "III.15.SOCIAL_N"), ("5.843", "VT", "III.15.SOCIAL_D"), ("39%", "VT", "III.15.SOCIAL_PCT")],
    "IV.01": [("110", None, "a decision number"), ("29/6/2023", None, "a date")],
    "IV.02": [], "IV.03": [], "IV.04": [], "IV.05": [], "IV.06": [],
    "IV.07": [("03", "VT", "IV.07.PLANS")],
    "IV.08": [("2023-2024", None, "a school year")],
    "IV.09": [("2024", None, "a year")],
    "V.01": [("2023", None, "a year")],
}
# Qualitative answers, kept as booleans (None: unanswered, no figure).
BOOLEANS = {"I.11.OK": False, "IV.01.OK": True, "IV.02.OK": None, "IV.03.OK": None, "IV.04.OK": None,
            "IV.05.OK": None, "IV.07.OK": True, "IV.08.OK": True, "V.01.OK": False, "III.07.VNCARE": True}
# Printed-as-is corrections (audit #4): the stored value differs from the literal print.
CORRECTIONS = {("III.05", "421.62"): 421620}
NUMBER = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{1,2}/\d{4}|\d{4}-\d{4}|\d+(?:[.,]\d+)*%?")


def expected_targets(code, cells):
    """The targets a printed target row must give: (indicator, unit, label, period, op, value|note)."""
    out = []
    for (unit, label), cell in zip([("VN", "national"), ("BRVT", "provincial"), ("VT", "city")], cells):
        c = cell.strip()
        if "%" not in c:  # a cell naming an agency (V.01, provincial)
            out.append((code, unit, label, "2023", "note", c))
            continue
        m = re.fullmatch(r"(\d+)% đến cuối năm là (\d+)%", c)
        if m:
            out.append((code, unit, label, "2023-01/2023-11", ">=", F(m.group(1))))
            out.append((code, unit, label, "2023", ">=", F(m.group(2))))
            continue
        m = re.fullmatch(r"(\d+)% sản phẩm; (\d+)% hộ .*", c)
        if m:
            out.append((code, unit, label, "2023", ">=", F(m.group(1))))
            out.append((code + ".HH", unit, label, "2023", ">=", F(m.group(2))))
            continue
        m = re.fullmatch(r"([Tt]rên )?(\d+(?:[.,]\d+)?)%\.?", c)
        if not m:
            fail("6.2 %s: target cell %r not understood" % (code, c))
            continue
        out.append((code, unit, label, "2023", ">" if m.group(1) else ">=", F(m.group(2).replace(",", "."))))
    return out


def check_62(lines, md, store, counts, verbose):
    sc = seed_criteria(lines)
    inds = {i["code"]: i for i in md["indicators"]}
    groups = {}
    for code, c in sc.items():
        groups.setdefault(c["group"], []).append(code)
    sizes = {g: len(v) for g, v in groups.items()}
    if sizes != {"I": 14, "II": 6, "III": 14, "IV": 9, "V": 1}:
        fail("6.2 groups in the seed: %s" % sizes)
    n_counts = n_pct = n_cells = n_numeric = n_note = 0
    draft_targets = set()
    for t in md["targets"]:
        if t["indicator"] in sc or t["indicator"].startswith("II.06"):
            v = ("note", t["note"]) if "note" in t else (t["operator"], F(str(t["value"])))
            draft_targets.add((t["indicator"], t["org_unit"], t["label"], t["period"]) + v)
    want_targets = set()
    for code, c in sc.items():
        ind = inds.get(code)
        if ind is None:
            fail("criterion %s missing from the indicators" % code)
            continue
        if ind["name"] != c["name"]:
            fail("criterion %s name differs from the print" % code)
        if ind.get("group") != c["group"]:
            fail("criterion %s in group %s, printed in %s" % (code, ind.get("group"), c["group"]))
        kq = store.values.get(("VT", code + ".KQ"))
        if kq != c["result"]:
            fail("criterion %s: printed result not kept verbatim in %s.KQ" % (code, code))
        for cell in c["cells"]:
            n_cells += 1
            if "%" in cell:
                n_numeric += 1
            else:
                n_note += 1
        for t in expected_targets(code, c["cells"]):
            want_targets.add(t)
        # printed numbers of the result column
        tokens = NUMBER.findall(c["result"])
        spec = R62.get(code)
        if spec is None:
            fail("criterion %s: no mapping of its printed numbers" % code)
            continue
        if [s[0] for s in spec] != tokens:
            fail("criterion %s: printed numbers %s, mapped %s" % (code, tokens, [s[0] for s in spec]))
            continue
        for tok, unit, element in spec:
            if unit is None:
                continue
            if tok.endswith("%"):
                n_pct += 1
                want = printed_percent(tok)
            else:
                n_counts += 1
                want = F(CORRECTIONS.get((code, tok), None) or printed_count(tok))
            got = store.own(unit, element)
            if got != want:
                fail("6.2 %s: printed %s, draft %s/%s = %s" % (code, tok, unit, element, fmt(got)))
            elif verbose:
                print("  ok 6.2 %-7s %-8s %-10s %-18s" % (code, tok, unit, element))
    for el, want in BOOLEANS.items():
        got = store.values.get(("VT", el))
        if got is not want:
            fail("qualitative %s: expected %s, draft %s" % (el, want, got))
    missing = want_targets - draft_targets
    extra = draft_targets - want_targets
    for t in sorted(missing, key=str):
        fail("target cell missing or different: %s" % (t,))
    for t in sorted(extra, key=str):
        fail("target in the draft that no cell prints: %s" % (t,))
    counts["6.2"] = (n_counts, n_pct, 0, 0)
    counts["criteria"] = len(sc)
    counts["cells"] = (n_cells, n_numeric, n_note, len(draft_targets))
    return sc


def check_rules(md, store, verbose):
    got = evaluate_rules(md, store)
    flagged = {(r[0], r[1]) for r in got}
    print("\nValidation at VT, %s: %d violations" % (P9, len(got)))
    for code, unit, lv, op, rv, msg in got:
        audit = EXPECTED_VIOLATIONS.get((code, unit))
        print("  %-30s %-8s %s %s %s   %s" % (code, unit, fmt(lv), op, fmt(rv),
                                              "audit #%d" % audit if audit else "UNEXPECTED"))
    for key in flagged - set(EXPECTED_VIOLATIONS):
        fail("rule %s flags %s, which no inconsistency explains" % key)
    for key in set(EXPECTED_VIOLATIONS) - flagged:
        fail("rule %s does not flag %s (audit #%d)" % (key + (EXPECTED_VIOLATIONS[key],)))
    covered = sorted(set(EXPECTED_VIOLATIONS.values()))
    return covered


def check_milestones(md, rep):
    prog = {(p["project"], p["milestone"]): p for p in rep["milestone_progress"]}
    flagged = []
    for p in md["projects"]:
        prev = []
        for m in p["milestones"]:
            pr = prog.get((p["code"], m["code"]), {})
            status, actual = pr.get("status", "planned"), pr.get("actual")
            oo = False
            for q, qst, qact in prev:
                if status == "done" and qst != "done":
                    oo = True
                if months(m["planned"])[0] < months(q["planned"])[0]:
                    oo = True
                if actual and qact and months(actual)[0] < months(qact)[0]:
                    oo = True
            if oo:
                flagged.append((p["code"], m["code"]))
            prev.append((m, status, actual))
    if flagged != [("IOC-VT", "M5")]:
        fail("out_of_order flags %s, expected only IOC-VT M5" % flagged)
    return flagged


def check_stages(md, store):
    """III.03's staged target: a query ending before December sees 30, one ending in December 50."""
    want = {"2023H1": 30, "2023Q3": 30, P9: 30, "2023-10": 30, "2023-01/2023-11": 30,
            "2023": 50, "2023H2": 50, "2023Q4": 50, "2023-12": 50}
    for period, v in want.items():
        ts = applicable_targets(md, store, "III.03", "VT", period)
        got = sorted({F(str(t["value"])) for t in ts})
        if got != [F(v)] or len(ts) != 3:
            fail("III.03 targets for %s: %s, expected 3 tiers at %d" % (period, [fmt(g) for g in got], v))
    print("\nIII.03 staged target: %s" % ", ".join("%s→%d" % kv for kv in want.items()))


def add_days(date, n):
    import datetime
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=n)).isoformat()


def check_reports(md, store, rep):
    """Every expected report of the 9-month cycle is listed once; due dates; completeness."""
    listed = {(r["data_set"], r["org_unit"], r["period"]): r for r in rep["reports"]}
    if len(listed) != len(rep["reports"]):
        fail("a report is listed twice")
    print("\nReports, %s (the demo's choice):" % P9)
    for ds in md["data_sets"]:
        expected = [u for u, x in store.units.items()
                    if x["kind"] in ds.get("assigned_kinds", []) or u in ds.get("assigned_units", [])]
        cutoff = "2023-09-%02d" % ds["cutoff_day"]
        due = add_days(cutoff, ds["due_days"])
        approval = add_days(due, ds["approval_due_days"])
        states = {}
        on_time = 0
        for u in expected:
            r = listed.pop((ds["code"], u, P9), None)
            if r is None:
                fail("report %s/%s missing from vungtau-reports.json" % (ds["code"], u))
                continue
            states[r["state"]] = states.get(r["state"], 0) + 1
            subs = [h for h in r["history"] if h["action"] == "submit"]
            if r["state"] in ("submitted", "approved") and subs and subs[0]["at"][:10] <= due:
                on_time += 1
            if r["state"] == "returned" and not any(h.get("reason") for h in r["history"]):
                fail("returned report %s/%s has no reason" % (ds["code"], u))
        n = len(expected)
        sub = states.get("submitted", 0) + states.get("approved", 0)
        print("  %-13s expected %2d, due %s, approval due %s: %s; rate %.2f, on time %.2f" % (
            ds["code"], n, due, approval, ", ".join("%s %d" % kv for kv in sorted(states.items())),
            100 * sub / n, 100 * on_time / n))
    for k in listed:
        fail("report %s/%s/%s is not expected by any data set" % k)


def c62_table(md, store, sc):
    inds = {i["code"]: i for i in md["indicators"]}
    print("\nC62 at VT, %s (value computed from the stored counts; targets applicable to this period)" % P9)
    print("  %-8s %-9s %-9s %-9s %-8s %-9s %-10s %-9s %s" % ("code", "national", "prov.", "city", "stated",
                                                          "num", "den", "value", "status"))
    table = next(t for t in md["tables"] if t["code"] == "C62")
    rows = {}
    for code in table["indicators"]:
        ind = inds[code]
        row = indicator_row(md, store, ind, "VT")
        rows[code] = row
        tl = {}
        for t in md["targets"]:
            if t["indicator"] == code and "note" in t:
                tl[t["label"]] = "(note)"
        for t in row["targets"]:
            tl[t["label"]] = "%s%s" % (t["operator"].replace(">=", ""), fmt(F(str(t["value"]))))
        stated = store.aggregate("VT", ind["stated_element"]) if ind.get("stated_element") else None
        print("  %-8s %-9s %-9s %-9s %-8s %-9s %-10s %-9s %s" % (
            code, tl.get("national", "—"), tl.get("provincial", "—"), tl.get("city", "—"), fmt(stated),
            fmt(row["numerator"]), fmt(row["denominator"]),
            "%.2f" % float(row["value"]) if row["value"] is not None else "—", row["status"]))
    return rows


def scores(md, rows):
    weights = {g["code"]: F(str(g["weight"])) for g in md["indicator_groups"]}
    inds = {i["code"]: i for i in md["indicators"]}
    total = F(0)
    print("\nScores at VT (equal weights, the demo's choice)")
    for g, w in weights.items():
        sts = [rows[c]["status"] for c in rows if inds[c].get("group") == g]
        met, nm, nd = sts.count("met"), sts.count("not_met"), sts.count("no_data")
        s = w * met / (met + nm) if met + nm else F(0)
        total += s
        print("  group %-4s weight %s criteria %2d met %2d not_met %2d no_data %2d score %.2f" % (
            g, fmt(w), len(sts), met, nm, nd, float(s)))
    print("  score %.2f" % float(total))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", default=DEFAULT_SEED)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    lines = read_seed(args.seed)
    md, fig, rep = load_draft()
    store = Store(md, fig)

    # references in metadata
    codes = set(store.elements)
    for ind in md["indicators"]:
        for side in ("numerator", "denominator"):
            for r in refs(parse_expr(ind[side])):
                if r not in codes:
                    fail("indicator %s refers to unknown element %s" % (ind["code"], r))
    for r in md["validation_rules"]:
        for side in ("left", "right", "stated"):
            if side in r:
                for x in refs(parse_expr(r[side])):
                    if x not in codes:
                        fail("rule %s refers to unknown element %s" % (r["code"], x))
    for ds in md["data_sets"]:
        for e in ds["data_elements"]:
            if e not in codes:
                fail("data set %s lists unknown element %s" % (ds["code"], e))
    code_re = re.compile(r"[A-Za-z0-9_.\-]{1,50}")
    for kind in ("org_units", "data_elements", "indicators", "validation_rules", "data_sets", "tables", "projects"):
        for o in md[kind]:
            if not code_re.fullmatch(o["code"]):
                fail("%s code %r is not a valid code" % (kind, o["code"]))

    counts = {}
    print("Seed: %s\nDraft: %s" % (args.seed, HERE))
    check_tables(lines, md, store, counts, args.verbose)
    sc = check_62(lines, md, store, counts, args.verbose)

    print("\nPrinted cells found in the draft (unit, element, value):")
    tc = tp = tt = tb = 0
    for code in list(SEED_TABLES) + ["6.2"]:
        c, p, t, b = counts.get(code, (0, 0, 0, 0))
        tc, tp, tt, tb = tc + c, tp + p, tt + t, tb + b
        print("  %-4s %3d counts  %2d percentages  %d text  %2d blanks kept absent" % (code, c, p, t, b))
    print("  all  %3d counts  %2d percentages  %d text  %2d blanks kept absent" % (tc, tp, tt, tb))
    n_cells, n_num, n_note, n_targets = counts["cells"]
    print("Criteria: %d; target cells: %d (%d numeric, %d note) -> %d targets" % (
        counts["criteria"], n_cells, n_num, n_note, n_targets))
    nvals = len(store.values)
    print("Figures in the 9-month set: %d values + %d marked (%s)" % (
        nvals, len(store.states), ", ".join("%s %d" % (s, list(store.states.values()).count(s))
                                              for s in sorted(set(store.states.values())))))

    rows = c62_table(md, store, sc)
    covered = check_rules(md, store, args.verbose)
    flags = check_milestones(md, rep)
    check_stages(md, store)
    check_reports(md, store, rep)
    scores(md, rows)
    print("\nAudit inconsistencies flagged by validation rules: %s" % ", ".join("#%d" % a for a in covered))
    for a, how in sorted(OTHER_DETECTION.items()):
        print("  #%d %s" % (a, how))
    print("Milestones flagged out_of_order: %s" % ", ".join("%s %s" % f for f in flags))

    if problems:
        print("\n%d MISMATCHES" % len(problems))
        for p in problems:
            print("  - " + p)
        return 1
    print("\nOK: the draft matches the seed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
