"""Thin blueprints: parse the request, call a service, render a template or JSON."""
from flask import Flask


def register_views(app: Flask) -> None:
    from views import (
        api,
        auth,
        conflicts,
        device,
        devices,
        errors,
        health,
        home,
        people,
        products,
        sync_status,
        training,
        wards,
        workflows,
    )

    for module in (api, auth, errors, health, home, sync_status, training, workflows, conflicts, device, devices, people, wards,
                   products):
        app.register_blueprint(module.blueprint)
