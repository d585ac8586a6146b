"""Joining a campaign with a letter's invitation code, and signing in with code + PIN. No models:
the codes and their uses belong to letters, the accounts and memberships to residents."""
