"""Demo data: the fictional 示范县, marked as demo wherever it shows."""
