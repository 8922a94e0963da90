from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Scoped reads of the registry (schools, classes, pupils, staff) and its API routers.

    The models, plain queries and writes stay in ``zhijiao.org`` and ``zhijiao.people``, below the access layer;
    everything that asks "what may this actor see" lives here, above it.
    """

    name = "zhijiao.registry"
    label = "registry"
    verbose_name = "学籍与机构查询"
