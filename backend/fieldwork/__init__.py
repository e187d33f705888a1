"""Field work: households, work logs, presence days and sheets, leave, heart-to-heart talks."""
