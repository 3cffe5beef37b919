"""Thin blueprints: parse the request, call a service, render a template or JSON."""
from flask import Flask


def register_views(app: Flask) -> None:
    from views import (
        api,
        api_sync,
        auth,
        conflicts,
        device,
        devices,
        errors,
        expiry,
        health,
        home,
        i18n,
        labels,
        language,
        people,
        products,
        recalls,
        replenishment,
        sync_status,
        training,
        wards,
        waste_dashboard,
        workflows,
    )

    for module in (
        *(api, api_sync, auth, errors, health, home, sync_status, training, workflows, conflicts, device, devices),
        replenishment,
        *(expiry, recalls, waste_dashboard),
        labels,
        *(people, wards, products),
        language,
        i18n,
    ):
        app.register_blueprint(module.blueprint)
