"""The permissions this app asks for with ``user.has_perm``. Which roles hold them is the access layer's
business (``zhijiao.access.permissions.Perm``, answered by its ``PermissionBackend``): this app sits below it
and imports none of it."""

VIEW = "curriculum.view"  # read the 课程体系 pages and API
MANAGE = "curriculum.manage"  # import a taxonomy file, export an edition
