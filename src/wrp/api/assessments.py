"""POST /api/v1/assessments — the public door of the policy engine (contracts/assessment.md).

The body is read raw and handed to `wrp.policy.assess`, exactly as `wrp assess` hands it standard input, so the two
doors answer byte for byte alike; the OpenAPI document still describes the request and response schemas.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.throttling import BaseThrottle

from wrp.api.errors import error_response, message_language
from wrp.core.clientaddr import client_address
from wrp.core.ratelimit import limit_hit, window_left
from wrp.policy import InvalidRequest, assess
from wrp.policy.models import AssessmentSchema
from wrp.policy_runtime import policy_calendar, policy_wages

router = Router(tags=["assessments"])


class PublicRateLimit(BaseThrottle):
    """Per client address, signed in or not (`RATE_LIMIT_PUBLIC`, read at each request): the public self-check must not
    be used to hammer the server. Counted by wrp.core.ratelimit in the shared cache; over the rate, ninja answers 429."""

    def allow_request(self, request: HttpRequest) -> bool:
        return limit_hit("public:api", client_address(request), rate=settings.RATE_LIMIT_PUBLIC).allowed

    def wait(self) -> float | None:
        return window_left(settings.RATE_LIMIT_PUBLIC)  # windows start on the clock: the same for every caller


class InvalidRequestBody(Schema):
    error: str
    fields: dict[str, str]


@router.post(
    "/assessments",
    auth=None,
    throttle=[PublicRateLimit()],
    response={200: AssessmentSchema, 422: InvalidRequestBody},
    summary="Assess a request (public self-check)",
    description="May this case be accepted, and what must it carry? Messages in Chinese unless "
    "`Accept-Language` prefers English. Invalid input → 422 naming every bad field by its dotted path.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AssessmentRequest"}}},
        }
    },
)
def create_assessment(request: HttpRequest) -> JsonResponse:
    lang = message_language(request)
    try:
        response = assess(request.body, lang=lang, calendar=policy_calendar(), wages=policy_wages())
    except InvalidRequest as invalid:
        return error_response(422, invalid.as_json_dict(lang))
    return JsonResponse(response.as_json_dict(), json_dumps_params={"ensure_ascii": False})
