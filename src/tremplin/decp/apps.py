from django.apps import AppConfig


class DecpConfig(AppConfig):
    name = "tremplin.decp"
    verbose_name = "Données essentielles de la commande publique (DECP)"
