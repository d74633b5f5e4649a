from django.http import HttpRequest, HttpResponse
from django.urls import path

PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>政务公开</title></head>'
    "<body><h1>政府信息公开</h1><p>这是基准测试的空白页面。</p></body></html>"
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


urlpatterns = [path("", hello)]
