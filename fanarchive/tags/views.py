from django.http import HttpRequest, HttpResponse


def detail(request: HttpRequest, tag_type: str, name: str) -> HttpResponse:
    return HttpResponse("")
