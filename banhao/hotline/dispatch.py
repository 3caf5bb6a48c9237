"""Dispatch suggestion: which unit should handle a ticket, with a confidence.

Two sources are blended (docs/adr/0005-hotline.md):

1. the duty list: the text is matched to a matter (TF-IDF over jieba tokens of each matter's
   name and keywords), and the matter's unit for the ticket's town is looked up. This works
   from day one with the shipped list;
2. a classifier (TF-IDF + logistic regression) trained on handled tickets: the text and town
   go in, the unit that finally handled the ticket is the label. Its weight grows with the
   number of handled tickets it learned from, so the suggestion improves as tickets are handled.

Nothing here writes to the database except ``train()``, which stores a new ``DispatchModel``.
"""

import io
import logging
import pickle
import re
import threading
import time
from dataclasses import dataclass

import jieba
import numpy as np
from django.db.models import Max
from django.utils import timezone

from .models import Category, DispatchModel, DutyAssignment, Ticket
from .states import TicketStatus

jieba.setLogLevel(logging.WARNING)
logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w", re.UNICODE)
# The learned model needs this many handled tickets before it counts at all.
MIN_SAMPLES = 30
# Weight of the learned model: n / (n + HALF_WEIGHT_AT), at most MAX_LEARNED_WEIGHT.
HALF_WEIGHT_AT = 150
MAX_LEARNED_WEIGHT = 0.85
MAX_TRAINING_TICKETS = 50_000
REFRESH_SECONDS = 60


def tokenize(text: str) -> list[str]:
    """Chinese word segmentation; punctuation and spaces dropped, Latin words lower-cased."""
    return [w.lower() for w in jieba.lcut(text or "") if _WORD.search(w)]


class _Tfidf:
    """A fitted TfidfVectorizer turned into plain lookups, for one short text at a time.

    ``TfidfVectorizer.transform`` validates its input, builds a sparse matrix and runs the
    tokenizer again for every call; a suggestion needs only the few terms of one text. This
    gives the same vector (same vocabulary, idf, sublinear tf and l2 norm) as a pair of arrays:
    the term columns and their weights, from tokens already cut once.
    """

    def __init__(self, vectorizer) -> None:
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(vectorizer.sublinear_tf)

    def vector(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for token in tokens:
            column = self.vocabulary.get(token)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = np.log(tf) + 1.0
        weights = tf * self.idf[columns]
        norm = np.sqrt(weights @ weights)
        return columns, (weights / norm if norm > 0 else weights)


@dataclass(frozen=True)
class Candidate:
    department_id: int
    department_name: str
    confidence: float
    category_code: str = ""


class _DutyMatcher:
    """Text -> matter probabilities, and (matter, town) -> unit, from the current duty list."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        categories = list(Category.objects.filter(is_active=True, parent__isnull=False))
        self.codes = [c.code for c in categories]
        self.category_ids = [c.pk for c in categories]
        self.code_of = dict(zip(self.category_ids, self.codes, strict=True))
        docs = [f"{c.name} {c.keywords}" for c in categories]
        self.matrix = None
        if docs:
            vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None)
            # Matters × terms, dense (a few hundred of each): a suggestion reads a few columns.
            self.matrix = np.asfortranarray(vectorizer.fit_transform(docs).toarray())
            self.tfidf = _Tfidf(vectorizer)
        self.duty: dict[tuple[int, int | None], tuple[int, str]] = {}
        for line in DutyAssignment.objects.select_related("department"):
            self.duty[(line.category_id, line.town_id)] = (line.department_id, line.department.name)

    def unit_for(self, category_id: int, town_id: int | None) -> tuple[int, str] | None:
        return self.duty.get((category_id, town_id)) or self.duty.get((category_id, None))

    def category_probabilities(self, tokens: list[str]) -> np.ndarray:
        if self.matrix is None:
            return np.zeros(0)
        columns, weights = self.tfidf.vector(tokens)
        sims = self.matrix[:, columns] @ weights
        total = sims.sum()
        # Mass left for "none of these": a text that matches few keywords gets a low confidence.
        return sims / (total + 0.25) if total > 0 else sims


class _Learned:
    """The classifier trained on handled tickets (unpickled from the latest DispatchModel)."""

    def __init__(self, record: DispatchModel) -> None:
        payload = pickle.loads(bytes(record.blob))  # noqa: S301 (written by train() only)
        self.vectorizer = payload["vectorizer"]
        self.classifier = payload["classifier"]
        self.names: dict[int, str] = payload["names"]
        self.samples = record.samples
        self.weight = min(MAX_LEARNED_WEIGHT, self.samples / (self.samples + HALF_WEIGHT_AT))
        # predict_proba for one text, without sklearn's per-call checks: the decision values
        # of the terms present, then softmax (multinomial) or the logistic function (2 units).
        self.tfidf = _Tfidf(self.vectorizer)
        self.coef = np.asfortranarray(self.classifier.coef_, dtype=np.float64)
        self.intercept = np.asarray(self.classifier.intercept_, dtype=np.float64)
        self.classes = [int(c) for c in self.classifier.classes_]

    def probabilities(self, tokens: list[str], town_id: int | None) -> dict[int, float]:
        """``tokens`` of the text (tokenize(text)); the town's token is added here."""
        columns, weights = self.tfidf.vector([*tokens, _town_token(town_id)])
        decision = self.coef[:, columns] @ weights + self.intercept
        if len(self.classes) == 2:  # binary: one decision value for the second class
            second = 1.0 / (1.0 + np.exp(-decision[0]))
            probs = np.array([1.0 - second, second])
        else:
            exp = np.exp(decision - decision.max())
            probs = exp / exp.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}


def _town_token(town_id: int | None) -> str:
    return f"town{town_id or 0}"


def _with_town(text: str, town_id: int | None) -> str:
    # Cut as the text's own tokens followed by the town token (a separate Latin word).
    return f"{text} {_town_token(town_id)}"


class _State:
    lock = threading.Lock()
    matcher: _DutyMatcher | None = None
    matcher_key: tuple | None = None
    learned: _Learned | None = None
    learned_id: int | None = None
    checked_at: float = 0.0


def reset() -> None:
    """Forget the cached matcher and model (after the duty list changed or a model was trained).
    Open311's cached matters are emptied by the Category signals (apps.py), not from here."""
    with _State.lock:
        _State.matcher = None
        _State.matcher_key = None
        _State.learned = None
        _State.learned_id = None
        _State.checked_at = 0.0


def _refresh() -> tuple[_DutyMatcher, _Learned | None]:
    now = time.monotonic()
    with _State.lock:
        if _State.matcher is not None and now - _State.checked_at < REFRESH_SECONDS:
            return _State.matcher, _State.learned
        duty_key = tuple(
            DutyAssignment.objects.aggregate(m=Max("updated_at"), n=Max("id")).values()
        )
        if _State.matcher is None or duty_key != _State.matcher_key:
            _State.matcher = _DutyMatcher()
            _State.matcher_key = duty_key
        latest = DispatchModel.objects.order_by("-id").only("id").first()
        if latest is None:
            _State.learned, _State.learned_id = None, None
        elif latest.pk != _State.learned_id:
            _State.learned = _Learned(DispatchModel.objects.get(pk=latest.pk))
            _State.learned_id = latest.pk
        _State.checked_at = now
        return _State.matcher, _State.learned


def suggest(
    text: str, town_id: int | None = None, category_id: int | None = None, limit: int = 3
) -> list[Candidate]:
    """Ranked units for a ticket's text and town (and the category if the operator chose one)."""
    matcher, learned = _refresh()
    tokens = tokenize(text)
    scores: dict[int, float] = {}
    names: dict[int, str] = {}
    best_category: dict[int, str] = {}
    if category_id is not None:
        unit = matcher.unit_for(category_id, town_id)
        cat_probs = [(category_id, 1.0)] if unit else []
    else:
        probs = matcher.category_probabilities(tokens)
        top = np.argsort(probs)[::-1][:5] if len(probs) else []
        cat_probs = [(matcher.category_ids[i], float(probs[i])) for i in top if probs[i] > 0]
    for cat_id, p in cat_probs:
        unit = matcher.unit_for(cat_id, town_id)
        if unit is None:
            continue
        scores[unit[0]] = scores.get(unit[0], 0.0) + p
        names[unit[0]] = unit[1]
        best_category.setdefault(unit[0], matcher.code_of.get(cat_id, ""))
    if learned is not None:
        # A category chosen by a person is firmer evidence than a keyword match.
        w = learned.weight * (0.5 if category_id is not None else 1.0)
        scores = {k: v * (1 - w) for k, v in scores.items()}
        for dept_id, p in learned.probabilities(tokens, town_id).items():
            scores[dept_id] = scores.get(dept_id, 0.0) + w * p
            names.setdefault(dept_id, learned.names.get(dept_id, ""))
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    return [
        Candidate(d, names[d], round(min(1.0, s), 4), best_category.get(d, ""))
        for d, s in ranked
        if s > 0
    ]


def _handled_tickets(limit: int):
    return (
        Ticket.objects.filter(status=TicketStatus.CLOSED, department__isnull=False)
        .exclude(description="")
        .order_by("-closed_at")
        .values_list("description", "title", "town_id", "department_id", "department__name")[:limit]
    )


def train(*, now=None) -> DispatchModel | None:
    """Train on handled tickets; measure accuracy on the newest fifth held out; store the model.

    Returns None when there are too few handled tickets (or only one unit among them).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = list(_handled_tickets(MAX_TRAINING_TICKETS))
    if len(rows) < MIN_SAMPLES or len({r[3] for r in rows}) < 2:
        return None
    rows.reverse()  # oldest first: the holdout is the newest tickets, as in real use
    texts = [_with_town(f"{title} {desc}", town) for desc, title, town, _, _ in rows]
    labels = np.array([r[3] for r in rows])
    names = {r[3]: r[4] for r in rows}

    def fit(x_texts, y):
        vectorizer = TfidfVectorizer(
            tokenizer=tokenize, lowercase=False, token_pattern=None, sublinear_tf=True, min_df=1
        )
        classifier = LogisticRegression(C=5.0, max_iter=300)
        classifier.fit(vectorizer.fit_transform(x_texts), y)
        return vectorizer, classifier

    split = int(len(rows) * 0.8)
    accuracy = None
    if len(set(labels[:split])) >= 2 and len(rows) - split > 0:
        vectorizer, classifier = fit(texts[:split], labels[:split])
        predicted = classifier.predict(vectorizer.transform(texts[split:]))
        accuracy = float((predicted == labels[split:]).mean())
    vectorizer, classifier = fit(texts, labels)
    buffer = io.BytesIO()
    pickle.dump({"vectorizer": vectorizer, "classifier": classifier, "names": names}, buffer)
    record = DispatchModel.objects.create(
        trained_at=now or timezone.now(),
        samples=len(rows),
        holdout=len(rows) - split,
        accuracy=accuracy,
        blob=buffer.getvalue(),
    )
    # Keep the last few models only; each holds a vocabulary.
    old = DispatchModel.objects.order_by("-id").values_list("id", flat=True)[5:]
    DispatchModel.objects.filter(id__in=list(old)).delete()
    reset()
    logger.info("Dispatch model trained on %s tickets, holdout accuracy %s", len(rows), accuracy)
    return record
