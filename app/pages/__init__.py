"""Page queries: everything one page shows, gathered from the domain packages
for one viewer. A route parses the request, calls one of these (or one
service), and renders; templates get plain data and never query."""
