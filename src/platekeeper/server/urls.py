"""URL routes: the API under /api/v1/, the web interface everywhere else, and the pages for a
missing page, a forbidden request and a server failure (web.errors)."""

from django.urls import include, path

from platekeeper.server.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("platekeeper.server.web.urls")),
]

handler403 = "platekeeper.server.web.errors.permission_denied"
handler404 = "platekeeper.server.web.errors.not_found"
handler500 = "platekeeper.server.web.errors.server_error"
