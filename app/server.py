"""Serving the app with waitress, so that every answer is the app's own.

waitress refuses a request whose Content-Length is over max_request_body_size
before reading its body, with a bare text page of its own. Here such a request
goes to the app instead, with its headers and no body: Flask sees the same
length over MAX_CONTENT_LENGTH and answers with its own 413 page (the import
page says "larger than 10 MB"). The body is never read and the connection
closes after the answer, so the limit costs no more than before.
"""

from __future__ import annotations

import gc
import logging
from io import BytesIO

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import RequestEntityTooLarge


class _TooLargeTask(WSGITask):
    """The app's answer to a body waitress will not take."""

    def get_environment(self):
        environ = super().get_environment()
        environ["wsgi.input"] = BytesIO()  # nothing of the body is read
        return environ

    def execute(self):
        self.set_close_on_finish()
        super().execute()


def _error_task(channel, request):
    if isinstance(request.error, RequestEntityTooLarge) and request.content_length > 0:
        return _TooLargeTask(channel, request)
    return ErrorTask(channel, request)


class _Channel(HTTPChannel):
    error_task_class = staticmethod(_error_task)


def serve(app, **settings) -> None:
    """waitress.serve, with the app answering bodies over the limit."""
    logging.basicConfig()
    server = create_server(app, **settings)
    # One socket gives a server; several (a name with IPv4 and IPv6) a group of them.
    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for each in listeners:
        if isinstance(each, BaseWSGIServer):
            each.channel_class = _Channel
    server.print_listen("Serving on http://{}:{}")
    # What start-up made (modules, templates, the app) lives as long as the
    # server: set apart from the collector, so that a full collection during a
    # big report (tens of thousands of rows kept at once) looks only at what
    # requests made. That took a tenth off the replacement plan's CSV.
    gc.freeze()
    server.run()
