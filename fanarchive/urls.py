from django.contrib import admin
from django.urls import include, path

from fanarchive.works import views as works_views

urlpatterns = [
    path("", works_views.home, name="home"),
    path("robots.txt", works_views.robots_txt, name="robots_txt"),
    path("", include("fanarchive.works.urls")),
    path("tags/", include("fanarchive.tags.urls")),
    path("search/", include("fanarchive.search.urls")),
    path("downloads/", include("fanarchive.downloads.urls")),
    path("", include("fanarchive.feeds.urls")),
    path("", include("fanarchive.api.urls")),
    path("accounts/", include("fanarchive.accounts.urls")),
    path("admin/", admin.site.urls),
]
