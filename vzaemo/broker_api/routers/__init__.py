"""One django-ninja router per resource of the broker API; `vzaemo.broker_api.api` mounts them."""
