"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""
