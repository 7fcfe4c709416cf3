from django.urls import path

from fanarchive.api.api import api

urlpatterns = [path("api/", api.urls)]
