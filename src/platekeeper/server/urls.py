"""URL routes: the API under /api/v1/, the web interface everywhere else."""

from django.urls import include, path

from platekeeper.server.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("platekeeper.server.web.urls")),
]
