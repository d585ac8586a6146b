"""Volunteers, their talents and the fair selection of workshop participants."""
