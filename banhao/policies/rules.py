"""Eligibility rules of enterprise policies (惠企政策): a small, safe expression language.

Staff write each clause of a policy as a condition over an enterprise's archive facts::

    industry in ["C", "I"] and registered_capital >= 100
    years_in_operation >= 3
    township in ["南麻街道", "历山街道"]
    rd_spending / annual_revenue >= 3%
    is_high_tech or headcount between 10 and 300
    not (tax_paid < 5)

The text is parsed by a real grammar (lark, LALR) into the small node classes below and checked
for types and known values; nothing is ever passed to ``eval``/``compile``, and the language has
no attribute access, calls, subscripts or names other than the facts in ``FACTS``. The same
nodes are compiled to a database filter (``compiler.py``) and evaluated here in Python for one
enterprise's explanation; the two agree (tested on generated data).

Semantics: a comparison whose value cannot be computed (a division by zero, a missing fiscal
year) is false; ``not`` of it is true. Arithmetic (+ - * /) and comparisons involving it are
done in double precision, in the database as in Python; a fact compared directly with a number
is compared exactly. Money facts are in 10,000 yuan (万元), as in the archive.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

MAX_LENGTH = 500
# Numbers with at most 15 significant digits compare the same as decimals and as doubles.
MAX_DIGITS = 15

# --- the facts -------------------------------------------------------------------------------

NUMBER, TEXT, BOOL, YEARS = "number", "text", "bool", "years"


@dataclass(frozen=True)
class FactDef:
    name: str  # as written in rules
    kind: str  # NUMBER, TEXT, BOOL or YEARS (years in operation: compared with numbers only)
    field: str  # Enterprise field it reads
    label: object  # lazy translated label for explanations
    unit: str = ""  # "money" (10,000 yuan), "people", "years", "" (plain)
    integer: bool = False
    nullable: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


FACTS: dict[str, FactDef] = {
    f.name: f
    for f in (
        FactDef(
            "industry",
            TEXT,
            "industry",
            gettext_lazy("industry"),
            aliases=("行业",),
            example='industry in ["C", "I"]',
        ),
        FactDef(
            "township",
            TEXT,
            "township_id",
            gettext_lazy("township"),
            aliases=("镇街", "所在镇街"),
            example='township in ["南麻街道", "历山街道"]',
        ),
        FactDef(
            "registered_capital",
            NUMBER,
            "registered_capital",
            gettext_lazy("registered capital"),
            unit="money",
            aliases=("注册资本",),
            example="registered_capital >= 100",
        ),
        FactDef(
            "headcount",
            NUMBER,
            "headcount",
            gettext_lazy("headcount"),
            unit="people",
            integer=True,
            aliases=("从业人数", "职工人数"),
            example="headcount between 10 and 300",
        ),
        FactDef(
            "years_in_operation",
            YEARS,
            "established_on",
            gettext_lazy("years in operation"),
            unit="years",
            integer=True,
            aliases=("成立年限",),
            example="years_in_operation >= 3",
        ),
        FactDef(
            "annual_revenue",
            NUMBER,
            "annual_revenue",
            gettext_lazy("annual revenue"),
            unit="money",
            aliases=("营业收入",),
            example="annual_revenue < 2000",
        ),
        FactDef(
            "tax_paid",
            NUMBER,
            "tax_paid",
            gettext_lazy("tax paid"),
            unit="money",
            aliases=("纳税额",),
            example="tax_paid >= 50",
        ),
        FactDef(
            "rd_spending",
            NUMBER,
            "rd_spending",
            gettext_lazy("R&D spending"),
            unit="money",
            aliases=("研发投入",),
            example="rd_spending / annual_revenue >= 3%",
        ),
        FactDef(
            "is_high_tech",
            BOOL,
            "is_high_tech",
            gettext_lazy("certified high-tech enterprise"),
            aliases=("高新技术企业",),
            example="is_high_tech",
        ),
        FactDef(
            "facts_year",
            NUMBER,
            "facts_year",
            gettext_lazy("fiscal year of the facts"),
            unit="year",
            integer=True,
            nullable=True,
            aliases=("数据年度",),
            example="facts_year >= 2023",
        ),
    )
}
_BY_ALIAS = {alias: f for f in FACTS.values() for alias in (f.name, *f.aliases)}

# --- errors ----------------------------------------------------------------------------------


class RuleError(Exception):
    """A rule that cannot be used; ``message`` is in the user's language and names the place."""

    def __init__(self, code: str, message: str, column: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.column = column


def _error(code: str, column: int | None, text: str, **params) -> RuleError:
    message = text % params if params else text
    if column is not None:
        message = _("Column %(column)s: %(message)s") % {"column": column, "message": message}
    return RuleError(code, message, column)


# --- the grammar -----------------------------------------------------------------------------

GRAMMAR = r"""
?condition: and_expr | condition _OR and_expr -> or_
?and_expr: not_expr | and_expr _AND not_expr -> and_
?not_expr: comparison | _NOT not_expr -> not_
?comparison: sum
    | sum COMP_OP sum -> compare
    | sum _IN list -> in_
    | sum _NOT _IN list -> not_in
    | sum _BETWEEN sum _AND sum -> between
?sum: product | sum ADD_OP product -> arith
?product: atom | product MUL_OP atom -> arith
?atom: NAME -> fact
    | NUMBER -> number
    | STRING -> string
    | _TRUE -> true
    | _FALSE -> false
    | "(" condition ")"
list: "[" [item ("," item)*] "]"
?item: NUMBER -> number | STRING -> string | NAME -> bare
_OR.2: /or(?!\w)/i
_AND.2: /and(?!\w)/i
_NOT.2: /not(?!\w)/i
_IN.2: /in(?!\w)/i
_BETWEEN.2: /between(?!\w)/i
_TRUE.2: /true(?!\w)/i
_FALSE.2: /false(?!\w)/i
COMP_OP: ">=" | "<=" | "==" | "!=" | ">" | "<" | "=" | "≥" | "≤" | "≠"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/" | "×" | "÷"
NAME: /[^\W\d]\w*/
NUMBER: /\d+(\.\d+)?%?/
STRING: /"[^"]*"/ | /'[^']*'/ | /“[^”]*”/
%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, start=["condition", "sum"])

_OPS = {">=": ">=", "<=": "<=", "==": "=", "=": "=", "!=": "!=", ">": ">", "<": "<"}
_OPS.update({"≥": ">=", "≤": "<=", "≠": "!="})
_ARITH = {"+": "+", "-": "-", "*": "*", "/": "/", "×": "*", "÷": "/"}
FLIPPED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "!=": "!="}
SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "!=": "≠"}

# --- nodes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    fact: FactDef
    col: int


@dataclass(frozen=True)
class Num:
    value: Decimal
    percent: bool
    col: int


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: object
    right: object
    col: int


@dataclass(frozen=True)
class Compare:
    """Two numbers compared; at least one side uses a fact."""

    op: str  # > >= < <= = !=
    left: object
    right: object
    col: int


@dataclass(frozen=True)
class Between:
    """``subject between low and high``, both ends included; low and high are numbers."""

    subject: object
    low: Num
    high: Num
    col: int


@dataclass(frozen=True)
class InList:
    """A text fact among values (``=``/``!=`` of text become one-value lists). ``keys`` are what
    the database holds: the industry code, or the township's id."""

    fact: FactDef
    values: tuple[str, ...]
    keys: tuple
    negated: bool
    col: int


@dataclass(frozen=True)
class IsTrue:
    """A yes/no fact; ``expected`` False for ``not``-like comparisons (``= false``)."""

    fact: FactDef
    expected: bool
    col: int


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Rule:
    """A checked rule: the condition (or amount formula) and the text it was read from."""

    text: str
    node: object


# --- parsing and checking --------------------------------------------------------------------


def _syntax_error(exc: UnexpectedInput) -> RuleError:
    column = getattr(exc, "column", None)
    if isinstance(exc, UnexpectedCharacters):
        return _error(
            "syntax", column, _("the character “%(char)s” is not allowed here."), char=exc.char
        )
    expected = _expected_text(getattr(exc, "expected", None) or getattr(exc, "allowed", ()))
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        return RuleError(
            "incomplete",
            _("The rule is incomplete: %(expected)s is missing at the end.")
            % {"expected": expected},
        )
    token = exc.token if isinstance(exc, UnexpectedToken) else ""
    return _error(
        "syntax",
        column,
        _("“%(token)s” is not expected here; expected %(expected)s."),
        token=str(token),
        expected=expected,
    )


def _expected_text(terminals) -> str:
    names = {
        "NAME": _("a fact"),
        "NUMBER": _("a number"),
        "STRING": _("a quoted text"),
        "COMP_OP": _("a comparison (>=, <, = …)"),
        "LPAR": "“(”",
        "RPAR": "“)”",
        "LSQB": "“[”",
        "RSQB": "“]”",
        "COMMA": "“,”",
        "_AND": "“and”",
        "_OR": "“or”",
        "_NOT": "“not”",
        "_IN": "“in”",
        "_BETWEEN": "“between”",
    }
    wanted = [names[t] for t in sorted(terminals) if t in names]
    # "and", "or", ")" are always possible after a complete comparison: list them last.
    return _(" or ").join(dict.fromkeys(wanted)) if wanted else _("something else")


def _col(item) -> int:
    if isinstance(item, Token):
        return item.column or 1
    meta = getattr(item, "meta", None)
    return getattr(meta, "column", 1) if meta is not None and not meta.empty else 1


@dataclass
class Checker:
    """Turns a lark tree into nodes, checking each part. ``townships`` maps names to ids."""

    townships: Mapping[str, int] | None

    # -- values

    def fact(self, token: Token) -> FactDef:
        name = str(token)
        found = _BY_ALIAS.get(name) or _BY_ALIAS.get(name.lower())
        if found is not None:
            return found
        if "__" in name:
            raise _error(
                "not_allowed",
                token.column,
                _("“%(name)s” is not allowed: rules can only use the facts listed."),
                name=name,
            )
        close = difflib.get_close_matches(name.lower(), list(_BY_ALIAS), n=1, cutoff=0.7)
        known = ", ".join(FACTS)
        if close:
            raise _error(
                "unknown_fact",
                token.column,
                _(
                    "“%(name)s” is not a known fact; did you mean “%(suggestion)s”? "
                    "Known facts: %(known)s."
                ),
                name=name,
                suggestion=_BY_ALIAS[close[0]].name,
                known=known,
            )
        raise _error(
            "unknown_fact",
            token.column,
            _("“%(name)s” is not a known fact (text values need quotes). Known facts: %(known)s."),
            name=name,
            known=known,
        )

    @staticmethod
    def number(token: Token) -> Num:
        text = str(token)
        percent = text.endswith("%")
        digits = text.rstrip("%").replace(".", "").lstrip("0")
        if len(digits) > MAX_DIGITS:
            raise _error(
                "too_precise",
                token.column,
                _("a number may have at most %(n)s significant digits."),
                n=MAX_DIGITS,
            )
        value = Decimal(text.rstrip("%"))  # the grammar lets only digits and one point through
        return Num(value / 100 if percent else value, percent, token.column)

    # -- expressions: each returns (node, type)

    def expr(self, tree) -> tuple[object, str]:
        if isinstance(tree, Token):  # pragma: no cover - every token sits in a rule
            raise _error("syntax", tree.column, _("unexpected “%(token)s”."), token=str(tree))
        kind = tree.data
        if kind == "fact":
            fact = self.fact(tree.children[0])
            return Fact(fact, _col(tree)), fact.kind
        if kind == "number":
            return self.number(tree.children[0]), NUMBER
        if kind in ("string", "bare"):
            raw = str(tree.children[0])
            return ("text", raw[1:-1] if kind == "string" else raw, _col(tree)), TEXT
        if kind in ("true", "false"):
            return ("bool", kind == "true", _col(tree)), BOOL
        if kind == "arith":
            return self.arith(tree)
        if kind == "compare":
            return self.compare(tree), BOOL
        if kind in ("in_", "not_in"):
            return self.in_list(tree, negated=kind == "not_in"), BOOL
        if kind == "between":
            return self.between(tree), BOOL
        if kind in ("and_", "or_"):
            items = []
            for child in tree.children:
                node = self.condition(child, _("“and” and “or” need a condition on each side."))
                # Flatten a and (b and c) into one list.
                same = And if kind == "and_" else Or
                items.extend(node.items if isinstance(node, same) else [node])
            return (And if kind == "and_" else Or)(tuple(items)), BOOL
        if kind == "not_":
            return Not(self.condition(tree.children[0], _("“not” needs a condition."))), BOOL
        raise _error("syntax", _col(tree), _("this part cannot be read."))  # pragma: no cover

    def condition(self, tree, message: str | None = None):
        node, kind = self.expr(tree)
        if kind == BOOL and isinstance(node, Fact):
            return IsTrue(node.fact, True, node.col)
        if kind == BOOL and isinstance(node, tuple):
            raise _error(
                "no_fact",
                node[2],
                _("“true” or “false” alone is not a rule; compare a yes/no fact with it."),
            )
        if kind != BOOL:
            raise _error(
                "not_condition",
                _col(tree),
                message
                or _("this part is a value, not a condition; compare it, e.g. “headcount >= 10”."),
            )
        return node

    def number_expr(self, tree, what: str):
        node, kind = self.expr(tree)
        if kind == YEARS:
            raise _error(
                "years_only_literal",
                _col(tree),
                _("years in operation can only be compared with a number."),
            )
        if kind != NUMBER:
            raise _error("not_number", _col(tree), what)
        return node

    def arith(self, tree):
        left_tree, op, right_tree = tree.children
        message = _("arithmetic (+ - × ÷) needs numbers on both sides.")
        left = self.number_expr(left_tree, message)
        right = self.number_expr(right_tree, message)
        return Arith(_ARITH[str(op)], left, right, _col(tree)), NUMBER

    def compare(self, tree):
        left_tree, op_token, right_tree = tree.children
        op = _OPS[str(op_token)]
        col = _col(tree)
        left, lkind = self.expr(left_tree)
        right, rkind = self.expr(right_tree)
        kinds = {lkind, rkind}
        if YEARS in kinds:
            years, other = (left, right) if lkind == YEARS else (right, left)
            if not isinstance(other, Num):
                raise _error(
                    "years_only_literal",
                    col,
                    _("years in operation can only be compared with a number."),
                )
            if years is right:
                op = FLIPPED[op]
            return Compare(op, years, other, col)
        if kinds == {NUMBER}:
            if not (_has_fact(left) or _has_fact(right)):
                raise _error("no_fact", col, _("this comparison does not use any fact."))
            return Compare(op, left, right, col)
        if kinds == {TEXT}:
            fact_side = [n for n in (left, right) if isinstance(n, Fact)]
            literal = [n for n in (left, right) if isinstance(n, tuple)]
            if len(fact_side) != 1 or len(literal) != 1:
                raise _error(
                    "text_compare",
                    col,
                    _('compare a text fact with a quoted value, e.g. industry = "C".'),
                )
            if op not in ("=", "!="):
                raise _error(
                    "text_op",
                    col,
                    _("text facts such as %(fact)s can only be compared with =, !=, in or not in."),
                    fact=fact_side[0].fact.name,
                )
            return self._in(fact_side[0].fact, [literal[0]], op == "!=", col)
        if kinds == {BOOL}:
            fact_side = [n for n in (left, right) if isinstance(n, Fact)]
            literal = [n for n in (left, right) if isinstance(n, tuple)]
            if len(fact_side) != 1 or len(literal) != 1 or op not in ("=", "!="):
                raise _error(
                    "bool_compare",
                    col,
                    _(
                        "a yes/no fact is used alone (is_high_tech), with “not”, or with = true / = false."
                    ),
                )
            return IsTrue(fact_side[0].fact, literal[0][1] == (op == "="), col)
        raise _error(
            "type_mismatch",
            col,
            _("“%(op)s” compares a %(left)s with a %(right)s."),
            op=str(op_token),
            left=_kind_name(lkind),
            right=_kind_name(rkind),
        )

    def in_list(self, tree, *, negated: bool):
        subject_tree, list_tree = tree.children
        col = _col(tree)
        subject, kind = self.expr(subject_tree)
        if not isinstance(subject, Fact) or kind != TEXT:
            raise _error(
                "in_needs_text",
                col,
                _(
                    "“in” needs a text fact (industry or township); compare numbers with >=, <= "
                    "or between."
                ),
            )
        items = [c for c in list_tree.children if c is not None]
        if not items:
            raise _error("empty_list", _col(list_tree), _("the list is empty."))
        values = []
        for item in items:
            node, item_kind = self.expr(item)
            if item_kind != TEXT:  # a number in a list of codes or names: read it as text
                node = ("text", str(item.children[0]), _col(item))
            values.append(node)
        return self._in(subject.fact, values, negated, col)

    def _in(self, fact: FactDef, literals, negated: bool, col: int) -> InList:
        values, keys = [], []
        for _kind, raw, item_col in literals:
            value, key = self.text_value(fact, raw.strip(), item_col)
            if key not in keys:
                values.append(value)
                keys.append(key)
        return InList(fact, tuple(values), tuple(keys), negated, col)

    def text_value(self, fact: FactDef, raw: str, col: int):
        if fact.name == "industry":
            from banhao.archives.models import Industry

            code = raw.upper()
            if code in Industry.values:
                return code, code
            raise _error(
                "bad_value",
                col,
                _("“%(value)s” is not an industry section; use a letter of GB/T 4754: %(values)s."),
                value=raw,
                values=", ".join(Industry.values),
            )
        # township
        if self.townships is None:
            return raw, raw
        if raw in self.townships:
            return raw, self.townships[raw]
        raise _error(
            "bad_value",
            col,
            _("“%(value)s” is not a township of the county. Townships: %(values)s."),
            value=raw,
            values="、".join(self.townships),
        )

    def between(self, tree):
        subject_tree, low_tree, high_tree = tree.children
        col = _col(tree)
        subject, kind = self.expr(subject_tree)
        if kind not in (NUMBER, YEARS) or not _has_fact(subject):
            raise _error(
                "between_subject", col, _("“between” needs a number that uses a fact on its left.")
            )
        bounds = []
        for bound_tree in (low_tree, high_tree):
            bound, _kind = self.expr(bound_tree)
            if not isinstance(bound, Num):
                raise _error(
                    "between_bounds",
                    _col(bound_tree),
                    _("the bounds of “between” must be numbers."),
                )
            bounds.append(bound)
        low, high = bounds
        if low.value > high.value:
            raise _error(
                "bounds",
                col,
                _("the lower bound %(low)s is greater than the upper bound %(high)s."),
                low=_plain(low.value),
                high=_plain(high.value),
            )
        return Between(subject, low, high, col)


def _kind_name(kind: str) -> str:
    return {
        NUMBER: _("number"),
        YEARS: _("number"),
        TEXT: _("text"),
        BOOL: _("yes/no value"),
    }[kind]


def _has_fact(node) -> bool:
    if isinstance(node, Fact):
        return True
    if isinstance(node, Arith):
        return _has_fact(node.left) or _has_fact(node.right)
    return False


def _parse(text: str, start: str):
    text = (text or "").strip()
    if not text:
        raise RuleError("empty", _("Write a rule."))
    if len(text) > MAX_LENGTH:
        raise RuleError(
            "too_long", _("A rule may be at most %(max)s characters long.") % {"max": MAX_LENGTH}
        )
    try:
        return text, _PARSER.parse(text, start=start)
    except UnexpectedInput as exc:
        raise _syntax_error(exc) from None


def parse_condition(text: str, townships: Mapping[str, int] | None = None) -> Rule:
    """Read a condition; raise ``RuleError`` with the column of the first problem."""
    text, tree = _parse(text, "condition")
    return Rule(text, Checker(townships).condition(tree))


def parse_formula(text: str) -> Rule:
    """Read an amount formula: arithmetic over number facts, in 10,000 yuan."""
    text, tree = _parse(text, "sum")
    node = Checker(None).number_expr(
        tree, _("an amount formula is arithmetic over number facts, e.g. rd_spending * 10%.")
    )
    return Rule(text, node)


# --- evaluating against one enterprise -------------------------------------------------------


def years_between(start: dt.date, as_of: dt.date) -> int:
    """Full years from ``start`` to ``as_of`` (like an age)."""
    return as_of.year - start.year - ((as_of.month, as_of.day) < (start.month, start.day))


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (earlier if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def facts_of(enterprise, as_of: dt.date) -> dict:
    """The facts rules read, from an Enterprise (or anything with its attributes)."""
    values = {name: getattr(enterprise, f.field) for name, f in FACTS.items() if f.kind != YEARS}
    values["years_in_operation"] = years_between(enterprise.established_on, as_of)
    return values


def _number(node, facts: Mapping, exact: bool):
    """The value of a number node: exact (Decimal/int) or float; None if undefined."""
    if isinstance(node, Num):
        return node.value if exact else float(node.value)
    if isinstance(node, Fact):
        value = facts[node.fact.name]
        if value is None:
            return None
        return value if exact else float(value)
    left = _number(node.left, facts, exact)
    right = _number(node.right, facts, exact)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right


def needs_float(node) -> bool:
    """Whether a comparison is computed in double precision (it has arithmetic, or compares a
    whole-number fact with a fraction); otherwise the fact is compared exactly."""
    parts = (node.left, node.right) if isinstance(node, Compare) else (node.subject,)
    if any(isinstance(p, Arith) for p in parts):
        return True
    literals = [p for p in parts if isinstance(p, Num)]
    if isinstance(node, Between):
        literals += [node.low, node.high]
    facts = [p for p in parts if isinstance(p, Fact)]
    return any(f.fact.integer and f.fact.kind != YEARS for f in facts) and any(
        n.value != n.value.to_integral_value() for n in literals
    )


def _holds(op: str, left, right) -> bool:
    if left is None or right is None:
        return False
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        "=": left == right,
        "!=": left != right,
    }[op]


def evaluate(node, facts: Mapping) -> bool:
    """Whether a condition holds for one enterprise's facts (``facts_of``)."""
    if isinstance(node, And):
        return all(evaluate(item, facts) for item in node.items)
    if isinstance(node, Or):
        return any(evaluate(item, facts) for item in node.items)
    if isinstance(node, Not):
        return not evaluate(node.item, facts)
    if isinstance(node, IsTrue):
        return bool(facts[node.fact.name]) == node.expected
    if isinstance(node, InList):
        return (facts[node.fact.name] in node.keys) != node.negated
    if isinstance(node, Compare):
        exact = not needs_float(node)
        return _holds(node.op, _number(node.left, facts, exact), _number(node.right, facts, exact))
    if isinstance(node, Between):
        exact = not needs_float(node)
        value = _number(node.subject, facts, exact)
        low = node.low.value if exact else float(node.low.value)
        high = node.high.value if exact else float(node.high.value)
        return _holds(">=", value, low) and _holds("<=", value, high)
    raise TypeError(node)  # pragma: no cover


def amount_of(formula: Rule, facts: Mapping, cap: Decimal | None) -> Decimal:
    """A formula's amount in yuan for one enterprise: formula (10,000 yuan) × 10,000, not below
    zero, at most ``cap``; an undefined value (division by zero) counts as zero."""
    value = _number(formula.node, facts, exact=False)
    yuan = 0.0 if value is None else max(value * 10000.0, 0.0)
    if cap is not None:
        yuan = min(yuan, float(cap))
    return Decimal(str(round(yuan, 2))).quantize(Decimal("0.01"))


# --- explaining ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """One comparison of a clause, for people: what was looked at, its value, what is asked."""

    holds: bool
    subject: str
    actual: str
    requirement: str


def _plain(value, places: int = 2) -> str:
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    value = round(value, places)
    text = number_format(value, decimal_pos=None, use_l10n=True, force_grouping=True)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_value(value, unit: str, percent: bool = False) -> str:
    if value is None:
        return _("not available")
    if percent:
        return f"{_plain(Decimal(str(value)) * 100, 2)}%"
    if unit == "money":
        return _("%(amount)s ×10,000 yuan") % {"amount": _plain(value, 2)}
    if unit == "people":
        return _("%(count)s people") % {"count": _plain(value, 0)}
    if unit == "years":
        return _("%(count)s years") % {"count": _plain(value, 0)}
    if unit == "year":
        return str(value)
    return _plain(value, 4)


def describe(node) -> str:
    """A readable name for a number expression, with the facts' labels."""
    if isinstance(node, Fact):
        return str(node.fact.label)
    if isinstance(node, Num):
        return f"{_plain(node.value * 100, 2)}%" if node.percent else _plain(node.value, 4)
    symbol = {"+": "+", "-": "−", "*": "×", "/": "÷"}[node.op]
    left, right = describe(node.left), describe(node.right)
    if isinstance(node.right, Arith):
        right = f"({right})"
    return f"{left} {symbol} {right}"


def _unit(node) -> str:
    return node.fact.unit if isinstance(node, Fact) else ""


def _any_percent(*nodes) -> bool:
    return any(isinstance(n, Num) and n.percent for n in nodes)


def explain(node, facts: Mapping, *, township_names: Mapping | None = None) -> list[Detail]:
    """Each comparison of a condition with the enterprise's value, in the user's language."""
    if isinstance(node, And | Or):
        return [
            d for item in node.items for d in explain(item, facts, township_names=township_names)
        ]
    if isinstance(node, Not):
        inner = explain(node.item, facts, township_names=township_names)
        return [
            Detail(
                not d.holds,
                d.subject,
                d.actual,
                _("not %(requirement)s") % {"requirement": d.requirement},
            )
            for d in inner
        ]
    if isinstance(node, IsTrue):
        actual = facts[node.fact.name]
        yes, no = _("yes"), _("no")
        return [
            Detail(
                bool(actual) == node.expected,
                str(node.fact.label),
                yes if actual else no,
                yes if node.expected else no,
            )
        ]
    if isinstance(node, InList):
        key = facts[node.fact.name]
        if node.fact.name == "industry":
            from banhao.archives.models import Industry

            def show(code):
                return f"{Industry(code).label} ({code})" if code in Industry.values else str(code)

            actual = show(key)
            listed = [show(v) for v in node.values]
        else:
            actual = (township_names or {}).get(key, str(key))
            listed = list(node.values)
        joined = _("; ").join(listed)
        requirement = (_("not one of: %(values)s") if node.negated else _("one of: %(values)s")) % {
            "values": joined
        }
        if len(listed) == 1:
            requirement = (_("not %(value)s") if node.negated else "%(value)s") % {
                "value": listed[0]
            }
        return [Detail(evaluate(node, facts), str(node.fact.label), actual, requirement)]
    if isinstance(node, Compare):
        exact = not needs_float(node)
        left, right = node.left, node.right
        if not _has_fact(left):  # put the fact on the left for reading
            left, right = right, left
            op = FLIPPED[node.op]
        else:
            op = node.op
        percent = _any_percent(left, right)
        unit = _unit(left)
        actual = format_value(_number(left, facts, exact), unit, percent)
        if _has_fact(right):
            other = format_value(_number(right, facts, exact), _unit(right), percent)
            target = f"{describe(right)} ({other})"
        elif isinstance(right, Num):
            target = format_value(right.value, unit, right.percent)
        else:
            target = describe(right)
        return [Detail(evaluate(node, facts), describe(left), actual, f"{SYMBOL[op]} {target}")]
    if isinstance(node, Between):
        exact = not needs_float(node)
        percent = _any_percent(node.low, node.high)
        unit = _unit(node.subject)
        requirement = _("between %(low)s and %(high)s") % {
            "low": format_value(node.low.value, unit, percent),
            "high": format_value(node.high.value, unit, percent),
        }
        return [
            Detail(
                evaluate(node, facts),
                describe(node.subject),
                format_value(_number(node.subject, facts, exact), unit, percent),
                requirement,
            )
        ]
    raise TypeError(node)  # pragma: no cover


def walk(node):
    """Every node of a tree (used to find facts a rule reads)."""
    yield node
    for attr in ("items",):
        for item in getattr(node, attr, ()):
            yield from walk(item)
    for attr in ("item", "left", "right", "subject"):
        child = getattr(node, attr, None)
        if child is not None:
            yield from walk(child)
