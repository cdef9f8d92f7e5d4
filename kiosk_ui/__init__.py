"""kiosk-ui: customer screen and staff area for the Quickpaymini payment kiosk."""

__version__ = "0.1.0"
