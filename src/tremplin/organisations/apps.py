from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tremplin.organisations"
    verbose_name = "Réseaux et organisations"
