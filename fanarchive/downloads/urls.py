from django.urls import path

from fanarchive.downloads import views

app_name = "downloads"
urlpatterns = [
    path("works/<int:work_id>/<str:filename>", views.work_download, name="work"),
    path("series/<int:series_id>/<str:filename>", views.series_download, name="series"),
]
