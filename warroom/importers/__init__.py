"""Importers that turn other tools' incident history into warroom events."""
