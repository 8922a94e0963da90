"""The registry API routers (``/api/v1/schools…``, ``/classes…``, ``/students…``, ``/staff…``)."""
