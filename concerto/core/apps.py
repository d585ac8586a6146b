from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    label = "core"
    verbose_name = "Concerto core"

    def ready(self):
        from django.conf import settings

        from .deployment import refuse_unsafe_settings

        refuse_unsafe_settings(settings)
