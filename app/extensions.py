"""Extension objects, created here and bound to the app in create_app()."""

from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# HTML, JSON, CSS and JS go out zstd-, brotli- or gzip-compressed when the client accepts it
# (bench/pages.py measures what it costs); settings COMPRESS_* in app/config.py.
compress = Compress()
# Storage, strategy and the on/off switch come from app.config (RATELIMIT_*); the client address is
# what ProxyFix made of X-Forwarded-For, so PROXY_HOPS must match the proxies in front.
limiter = Limiter(get_remote_address, headers_enabled=True)
