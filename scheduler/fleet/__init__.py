"""The reconciler and the fleet-wide periodic duties every worker runs (the leader does them)."""
