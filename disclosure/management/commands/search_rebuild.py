"""Rebuild the whole search index from the public documents (R39): after a dictionary change or a restore."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from disclosure.search.index import search_rebuild


class Command(BaseCommand):
    help = "重建全文检索索引：索引全部公开文件，移除其余条目。"

    def handle(self, *args: Any, **options: Any) -> None:
        indexed, removed = search_rebuild()
        self.stdout.write(f"已索引 {indexed} 件，移除 {removed} 件。")
