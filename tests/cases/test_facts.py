"""The policy's refusal of a case's facts, as the services raise it: each field in the policy's own two languages,
the one shown picked where it is rendered, and the policy's code for machines."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from wrp.cases.facts import policy_refusal
from wrp.policy import InvalidRequest


def test_a_policy_refusal_is_shown_in_the_language_active_where_it_is_rendered():
    refused = policy_refusal(InvalidRequest({"applicant.hukou": ("missing", {})}))
    assert refused.codes == {"applicant.hukou": "missing"}
    with translation.override("zh-hans"):
        assert refused.messages() == {"applicant.hukou": "必填"}
    with translation.override("en"):
        assert refused.messages() == {"applicant.hukou": "required"}
        assert json.loads(json.dumps(refused.fields, cls=DjangoJSONEncoder)) == {"applicant.hukou": "required"}
