from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "platekeeper.server.reviews"
    label = "reviews"
