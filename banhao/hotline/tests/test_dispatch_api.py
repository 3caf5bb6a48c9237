import json

import pytest

from banhao.accounts.roles import Role
from banhao.hotline import dispatch
from banhao.hotline.models import DispatchModel, Ticket
from banhao.hotline.services import handling
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel, TicketStatus
from banhao.org.models import Region
from banhao.org.selectors import resolve_department
from banhao.testing import PASSWORD, make_user


@pytest.mark.parametrize(
    ("text", "town", "unit"),
    [
        ("小区暖气不热，室温只有十度", None, "县住房城乡建设局"),
        ("自来水停水两天了", None, "县水利局"),
        ("饭店卖过期食品", None, "县市场监管局"),
        ("包工头拖欠工资不发", None, "县人力资源社会保障局"),
        ("商店拒收现金只让扫码", None, "中国人民银行淄博市分行沂源营业管理部"),
        ("村里垃圾堆放没人清运", "南麻街道", "南麻街道办事处"),
        ("村里垃圾堆放没人清运", None, "县综合行政执法局"),
        ("学校乱收补课费", None, "县教育和体育局"),
        ("夜间施工噪音扰民", None, "县综合行政执法局"),
    ],
)
def test_day_one_suggestion_from_the_duty_list(seeded, text, town, unit):
    town_id = Region.objects.get(name=town).pk if town else None
    ranked = dispatch.suggest(text, town_id)
    assert ranked[0].department_name == unit
    assert 0 < ranked[0].confidence <= 1
    assert ranked == sorted(ranked, key=lambda c: -c.confidence)


def test_unknown_text_has_low_confidence(seeded):
    ranked = dispatch.suggest("你好")
    assert ranked == [] or ranked[0].confidence < 0.5


def test_suggestion_learns_from_handled_tickets(seeded, operator):
    """Tickets about '共享单车' handled by the transport bureau: before training the duty list
    does not know the word; after training the classifier suggests the bureau."""
    transport = resolve_department("县交通运输局")
    handler = make_user(Role.DEPT_HANDLER, department=transport)
    market = resolve_department("县市场监管局")
    market_handler = make_user(Role.DEPT_HANDLER, department=market)
    before = dispatch.suggest("共享单车坏了没人管")
    assert not before or before[0].department_name != "县交通运输局"
    for i in range(40):
        for text, unit, who in (
            (f"共享单车乱停放第{i}次", transport, handler),
            (f"奶茶店会员卡退款难第{i}次", market, market_handler),
        ):
            t = register_ticket(
                actor=operator,
                intake=TicketIntake(
                    channel=Channel.PHONE,
                    description=text,
                    contact_phone=f"139{i:04d}{len(text):04d}",
                ),
            )
            handling.dispatch(actor=operator, ticket=t, department=unit)
            handling.accept(actor=who, ticket=t)
            handling.reply(actor=who, ticket=t, text="已处理")
            handling.callback(
                actor=operator, ticket=t, satisfaction="satisfied", resolution="resolved"
            )
    model = dispatch.train()
    assert model.samples == 80 and model.holdout == 16 and model.accuracy == 1.0
    after = dispatch.suggest("共享单车坏了没人管")
    assert after[0].department_name == "县交通运输局"
    assert after[0].confidence > 0.3
    assert DispatchModel.objects.count() == 1


def test_too_few_tickets_trains_nothing(seeded):
    assert dispatch.train() is None


def _fitted(texts, labels, **options):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        tokenizer=dispatch.tokenize, lowercase=False, token_pattern=None, **options
    )
    classifier = LogisticRegression(C=5.0, max_iter=300)
    classifier.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, classifier


PROBES = ["共享单车乱停放", "奶茶店退款难 退款", "路灯不亮", "你好", "", "单车 单车 单车 奶茶"]


@pytest.mark.parametrize("units", [2, 3])
def test_learned_probabilities_equal_sklearn(units):
    """The per-text shortcut gives what predict_proba gives (binary and multinomial)."""
    import pickle

    import numpy as np

    words = ["共享单车乱停放", "奶茶店会员卡退款难", "路灯坏了不亮"][:units]
    texts = [dispatch._with_town(f"{w}第{i}次", i % 3) for i in range(30) for w in words]
    labels = [100 + k for i in range(30) for k in range(units)]
    vectorizer, classifier = _fitted(texts, labels, sublinear_tf=True)
    blob = pickle.dumps({"vectorizer": vectorizer, "classifier": classifier, "names": {}})
    learned = dispatch._Learned(DispatchModel(samples=len(texts), blob=blob))
    for text in PROBES:
        for town in (None, 1, 2):
            ours = learned.probabilities(dispatch.tokenize(text), town)
            theirs = classifier.predict_proba(
                vectorizer.transform([dispatch._with_town(text, town)])
            )[0]
            assert list(ours) == [int(c) for c in classifier.classes_]
            assert np.allclose(list(ours.values()), theirs, rtol=0, atol=1e-12)


def test_duty_matcher_vectors_equal_sklearn(seeded):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matcher = dispatch._DutyMatcher()
    docs = [
        f"{c.name} {c.keywords}"
        for c in dispatch.Category.objects.filter(is_active=True, parent__isnull=False)
    ]
    vectorizer = TfidfVectorizer(tokenizer=dispatch.tokenize, lowercase=False, token_pattern=None)
    matrix = vectorizer.fit_transform(docs)
    for text in [*PROBES, "小区暖气不热，物业不管", "饭店卖过期食品 过期"]:
        ours = matcher.category_probabilities(dispatch.tokenize(text))
        sims = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        theirs = sims / (sims.sum() + 0.25) if sims.sum() > 0 else sims
        assert np.allclose(ours, theirs, rtol=0, atol=1e-12)


def test_suggestion_reads_nothing_once_warm(seeded, django_assert_num_queries):
    """The duty list and the model stay in memory: a suggestion makes no query (its speed is
    measured by `banhao bench hotline`)."""
    dispatch.suggest("预热")
    with django_assert_num_queries(0):
        for i in range(20):
            dispatch.suggest(f"小区暖气不热第{i}天，物业不管")


def login(client, user):
    client.login(username=user.username, password=PASSWORD)


def test_suggest_api_creates_nothing(client, operator):
    login(client, operator)
    nanma = Region.objects.get(name="南麻街道")
    response = client.post(
        "/api/v1/hotline/suggest/",
        json.dumps({"text": "垃圾没人清运", "town_id": nanma.pk}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body[0]["department"] == "南麻街道办事处" and body[0]["category"] == "sanitation"
    assert 0 < body[0]["confidence"] <= 1
    assert Ticket.objects.count() == 0


def test_suggest_api_needs_login(client, seeded):
    response = client.post(
        "/api/v1/hotline/suggest/", json.dumps({"text": "x"}), content_type="application/json"
    )
    assert response.status_code == 401


def test_api_intake_by_citizen_and_scoped_reads(client, seeded, hrss_handler, operator):
    citizen = make_user(Role.CITIZEN, phone="13800003333")
    login(client, citizen)
    response = client.post(
        "/api/v1/hotline/tickets/",
        json.dumps({"description": "工资被拖欠", "category": "wages", "channel": "mobile"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered" and body["channel"] == "mobile"
    assert body["contact"]["phone"] == "13800003333"  # the requester sees their own
    bad = client.post(
        "/api/v1/hotline/tickets/",
        json.dumps({"description": " "}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "description_required"
    ticket = Ticket.objects.get()
    other = make_user(Role.CITIZEN)
    login(client, other)
    assert client.get(f"/api/v1/hotline/tickets/{ticket.pk}/").status_code == 404
    assert client.get("/api/v1/hotline/tickets/").json() == []
    login(client, hrss_handler)
    assert client.get(f"/api/v1/hotline/tickets/{ticket.pk}/").status_code == 404
    handling.dispatch(actor=operator, ticket=ticket, department=hrss_handler.department)
    data = client.get(f"/api/v1/hotline/tickets/{ticket.pk}/").json()
    assert data["contact"] == {
        "anonymous": False,
        "name": "张*",
        "phone": "138****3333",
        "email": "",
        "masked": True,
    }
    accepted = client.post(
        f"/api/v1/hotline/tickets/{ticket.pk}/accept/", "{}", content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == TicketStatus.HANDLING
    again = client.post(
        f"/api/v1/hotline/tickets/{ticket.pk}/accept/", "{}", content_type="application/json"
    )
    assert again.status_code == 409


def test_api_ranking_matrix(client, seeded, supervisor, hrss_handler):
    assert client.get("/api/v1/hotline/ranking/").status_code == 401
    login(client, make_user(Role.CITIZEN))
    assert client.get("/api/v1/hotline/ranking/").status_code == 403
    login(client, supervisor)
    response = client.get("/api/v1/hotline/ranking/?period=year&date=2026-03-01")
    assert response.status_code == 200
    assert response.json() == {
        "period": "year",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "units": [],
    }
    assert client.get("/api/v1/hotline/ranking/?period=decade").status_code == 400
