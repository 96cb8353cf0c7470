"""Stock on the floor: counts, corrections, damaged and quarantined units, replenishment."""
