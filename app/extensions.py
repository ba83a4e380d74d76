"""Extensions, created unbound here and bound to the app in create_app()."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
# Limits are per client address; behind a proxy set TAGTRAIL_TRUSTED_PROXIES so
# the address is the phone's, not the proxy's. Where they are counted is
# TAGTRAIL_RATELIMIT_STORAGE (create_app hands it to the limiter).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Scripts, styles and SVG are compressed (Brotli or gzip, as the browser asks).
# HTML is not: pages carry CSRF tokens next to text people typed, the mix that
# compression side channels (BREACH) feed on, and they are small anyway.
compress = Compress()
