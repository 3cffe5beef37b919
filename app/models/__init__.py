"""The app's own tables. Importing this package registers them on the shared metadata."""
from app.models.audit import AuditEvent
from app.models.devices import Device, DeviceUser
from app.models.login_sessions import LoginSession
from app.models.login_throttle import LoginThrottle
from app.models.printers import LabelPrinter
from app.models.users import User, UserLocation

__all__ = ["AuditEvent", "Device", "DeviceUser", "LabelPrinter", "LoginSession", "LoginThrottle", "User", "UserLocation"]
