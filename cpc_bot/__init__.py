"""CPC Companion: helps families and professionals prepare for a Child Protection Conference."""
