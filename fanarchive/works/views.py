from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


home = robots_txt = index = detail = chapter = creator = series = fandoms = _todo
