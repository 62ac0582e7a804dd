"""Chinese first: the interface language is zh-Hans unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
English browser would get English pages. Here only an explicit choice (the language switch,
stored in the language cookie or session) changes the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
