"""assessqa: grades children's social care assessments and plans on what inspectors look for."""

__version__ = "0.1.0"
