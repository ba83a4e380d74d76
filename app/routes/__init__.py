"""One blueprint per area. Each view: parse input, call one service, render."""
