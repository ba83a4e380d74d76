"""Extensions, created unbound here and bound to the app in create_app()."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
