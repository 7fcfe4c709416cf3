from django.urls import path

from fanarchive.works import views

app_name = "works"
urlpatterns = [
    path("works/", views.index, name="index"),
    path("works/<int:work_id>/", views.detail, name="detail"),
    path("works/<int:work_id>/chapters/<int:position>/", views.chapter, name="chapter"),
    path("creators/<path:name>/", views.creator, name="creator"),
    path("series/<int:series_id>/", views.series, name="series"),
    path("fandoms/", views.fandoms, name="fandoms"),
]
