from django.urls import path

from .views import media

app_name = "study"

urlpatterns = [
    path("media/<path:path>", media.serve_media, name="media"),
]
