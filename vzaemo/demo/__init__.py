"""The demo data set: `manage.py seed_demo` loads every module's `demo.py`, in the order their data depend on."""
