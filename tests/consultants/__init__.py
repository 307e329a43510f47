"""Stories of the consultants' group (issue 4)."""
