from django.urls import path

from fanarchive.tags import views

app_name = "tags"
urlpatterns = [
    path("<str:tag_type>/<path:name>/", views.detail, name="detail"),
]
