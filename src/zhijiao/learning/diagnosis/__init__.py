"""Diagnosis models for precise teaching (issue 14): cognitive diagnosis (``cdm``) and knowledge tracing (``kt``).

Pure numpy, no Django: worker jobs and benchmarks import it directly. ``evaluate`` reads the public file formats
and scores a model (``zhijiao learning evaluate``).
"""
