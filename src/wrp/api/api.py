"""The v1 API (django-ninja): OpenAPI document at /api/v1/openapi.json, docs page at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from wrp.api import assessments, case_actions, cases, documents, errors, people, units
from wrp.api import events as event_feed
from wrp.api import imports as employee_imports
from wrp.policy.models import AssessmentRequest


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Add the raw-body request schemas (read by the policy, not by ninja) to the document's components."""
        schema = super().get_openapi_schema(*args, **kwargs)
        request_schema = AssessmentRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(request_schema.pop("$defs", {}))
        components["AssessmentRequest"] = request_schema
        return schema


api = PlatformAPI(
    title="朝阳区工作居住证服务平台 API",
    version="1",
    description="The Beijing Work Residence Permit platform, Chaoyang District: contracts/assessment.md and "
    "contracts/cases-api.md.",
    urls_namespace="api_v1",
)
errors.install(api)
api.add_router("/", assessments.router)
api.add_router("/", people.router)
api.add_router("/", units.router)
api.add_router("/", employee_imports.router)  # POST /imports, GET /imports/{id} (wrp.imports)
api.add_router("/", event_feed.router)  # GET /events, /webhooks (wrp.webhooks)
api.add_router("/", documents.router)  # before cases: its POST /cases/{id}/{action} catch-all would shadow GET
api.add_router("/", cases.router)
api.add_router("/", case_actions.router)  # last: its POST /cases/{id}/{action} catch-all
