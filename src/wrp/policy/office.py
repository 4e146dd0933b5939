"""The handling institution's own details (POLICY §1): who handles the items, where, when and on which numbers, and
the names printed on the platform's documents — data in both languages, shown in the page footer, on the guide pages
and on every generated document.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Office:
    """The handling institution, the bureau that decides, and the platform's name; (zh, en) pairs."""

    institution: Pair
    address: Pair
    hours: Pair
    phone: str
    complaints: str
    bureau: Pair
    platform: Pair


OFFICE = Office(
    institution=("朝阳区人力资源公共服务中心", "Chaoyang District Human Resources Public Service Centre"),
    address=(
        "北京市朝阳区将台路5号院15号楼A座（普天实业创新园内）",
        "Building 15 A, Yard 5, Jiangtai Road, Chaoyang District, Beijing (Putian Industrial Innovation Park)",
    ),
    hours=(
        "周一至周五 9:00-17:00（国家法定节假日、公休日除外）",
        "Monday to Friday 9:00-17:00, except statutory holidays and rest days",
    ),
    phone="010-57596100",
    complaints="010-12345",
    bureau=("朝阳区人力社保局", "Chaoyang District Human Resources and Social Security Bureau"),
    platform=("朝阳区工作居住证服务平台", "Chaoyang District Work Residence Permit Platform"),
)
