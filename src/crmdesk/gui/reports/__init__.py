"""Report preview, printing and tracing."""
