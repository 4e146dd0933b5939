"""Template context shared by every page: the handling institution of POLICY §1, for the footer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

OFFICE = {
    "institution": "朝阳区人力资源公共服务中心",
    "institution_en": "Chaoyang District Human Resources Public Service Centre",
    "address": "北京市朝阳区将台路5号院15号楼A座（普天实业创新园内）",
    "address_en": "Building 15 A, Yard 5, Jiangtai Road, Chaoyang District, Beijing (Putian Industrial Innovation Park)",
    "hours": "周一至周五 9:00-17:00（国家法定节假日、公休日除外）",
    "hours_en": "Monday to Friday 9:00-17:00, except statutory holidays and rest days",
    "phone": "010-57596100",
    "complaints": "010-12345",
}


def office(request: HttpRequest) -> dict[str, Any]:
    return {"office": OFFICE}
