from django.urls import path

from fanarchive.feeds import atom, views

app_name = "feeds"
urlpatterns = [
    path("opds/", views.root, name="opds_root"),
    path("opds/opensearch.xml", views.opensearch, name="opensearch"),
    path("opds/recent/", views.recent, name="opds_recent"),
    path("opds/fandoms/", views.fandoms, name="opds_fandoms"),
    path("opds/tags/", views.tags, name="opds_tags"),
    path("opds/tags/<int:tag_id>/", views.tag, name="opds_tag"),
    path("opds/series/", views.series_list, name="opds_series"),
    path("opds/series/<int:series_id>/", views.series, name="opds_series_works"),
    path("opds/search/", views.search, name="opds_search"),
    path("feeds/works.atom", atom.works_feed, name="works_atom"),
    path("feeds/tags/<int:tag_id>.atom", atom.tag_feed, name="tag_atom"),
]
