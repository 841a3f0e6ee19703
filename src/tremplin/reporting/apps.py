from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "tremplin.reporting"
    verbose_name = "Impact et tableaux de bord"
