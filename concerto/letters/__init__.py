"""Households, invitation letters with personal codes, joining by code."""
