from django.apps import AppConfig


class InclusionConfig(AppConfig):
    name = "tremplin.inclusion"
    verbose_name = "Participants et heures"
