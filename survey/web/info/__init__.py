"""Pages about the service itself: the privacy notice and the accessibility statement."""
