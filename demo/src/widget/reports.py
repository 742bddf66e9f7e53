from widget.compat import since


@since("NEXT_RELEASE_VERSION")
def export_usage_report(period: str) -> bytes:
    """Export the usage report of a period."""
    raise NotImplementedError
