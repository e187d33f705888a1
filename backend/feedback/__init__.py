"""Feedback (投诉建议): any user writes to the county admins, who answer through the inbox."""
