from django.core.management import get_commands


def test_seed_demo_is_the_demo_apps_command() -> None:
    assert get_commands()["seed_demo"] == "vzaemo.demo"
