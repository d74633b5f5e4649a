"""``manage.py load_demo``: demo data for every app; safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

import audits.demo
import catalog.demo
import disclosure.demo
import disclosure.demo_policies
import emergencies.demo
import errorreports.demo
import integrity.demo
import opendata.demo
import performance.demo
import requests_app.demo
import subscriptions.demo

# Each app with demo data adds its loader here, in dependency order. The project package is the top layer: it may
# import every app, so the order of loading is plain imports the layer contract can see.
DEMO_LOADERS = [
    catalog.demo,
    disclosure.demo,
    disclosure.demo_policies,
    requests_app.demo,
    emergencies.demo,
    errorreports.demo,
    audits.demo,
    subscriptions.demo,
    performance.demo,
    integrity.demo,
    opendata.demo,
]


class Command(BaseCommand):
    help = "载入演示数据（机构、账号、工作日历等），可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset-passwords", action="store_true", help="为演示账号生成新密码并显示")

    def handle(self, *args: Any, **options: Any) -> None:
        for module in DEMO_LOADERS:
            module.load(reset_passwords=options["reset_passwords"], write=self.stdout.write)
