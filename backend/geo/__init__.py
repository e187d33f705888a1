"""Geography: the division tree, assistance tiers, village geofences, coordinate systems."""
