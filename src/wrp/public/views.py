"""Public pages: the landing page and the eligibility self-check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


def check(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")
