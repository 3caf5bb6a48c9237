from django.template import Context, Template
from django.utils import translation

from banhao.org.models import Region

TEMPLATE = Template('{% load banhao %}{{ unit|loc|default:"—" }}')


def test_loc_of_an_absent_object_falls_back_to_the_default():
    # An optional foreign key (e.g. a benefit with no granting department) renders the default.
    assert TEMPLATE.render(Context({"unit": None})) == "—"


def test_loc_picks_the_page_language():
    region = Region(name="沂源县", name_en="Yiyuan County")
    with translation.override("en"):
        assert TEMPLATE.render(Context({"unit": region})) == "Yiyuan County"
    with translation.override("zh-hans"):
        assert TEMPLATE.render(Context({"unit": region})) == "沂源县"
