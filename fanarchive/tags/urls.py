from django.urls import path, register_converter

from fanarchive.tags import views


class DecisionConverter:
    """What a wrangler decides about a suggested tag."""

    regex = "accept|reject"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DecisionConverter, "decision")

app_name = "tags"
urlpatterns = [
    # Before the tag pages, whose `<path:name>` would take these too.
    path("wrangle/", views.wrangling_queue, name="queue"),
    path("wrangle/<int:tag_id>/", views.wrangle, name="wrangle"),
    path("suggestions/<int:suggestion_id>/<decision:decision>/", views.decide, name="decide"),
    path("<str:tag_type>/<path:name>/", views.detail, name="detail"),
]
