"""Domain operations. Each function owns its transaction and never touches
request, session or g, so tests can call it without HTTP."""
