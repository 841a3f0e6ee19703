from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "tremplin.procurement"
    verbose_name = "Marchés et clauses"
