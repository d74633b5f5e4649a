"""Reads whose SQL the ORM compiles once per process, then run with fresh values on every request.

Building a queryset (filters, ``select_related``, ``only``, annotations) and compiling it to SQL costs more CPU on a
hot page than running it: about a millisecond for the document page's main read. A ``CompiledRead`` keeps the ORM
the one definition of the read: it calls the given function once per database with stand-in values (twice, with
two sets, to find exactly which parameters they became), keeps the statement and what turns its rows into model
instances, and on each call puts the real values where the stand-ins were. The rows become instances exactly as
``QuerySet.__iter__`` makes them (``from_db``, related objects, annotations, the backend's converters).

The statements are not prepared on the server: that would break behind a pooler in transaction mode (pgbouncer) and
across a rolling deploy that changes a column's type, for about half a millisecond per read.

Only on PostgreSQL, where a value reaches the statement's parameters unchanged; elsewhere (the SQLite demo), or when
the stand-ins are not found as parameters of their own, every call simply evaluates the queryset.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.dispatch import receiver

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

# Stand-ins no real request passes, two of each kind and rank: a moment in 1901, an impossible key, a negative key.
_STAND_INS: dict[type, Callable[[int, int], object]] = {
    dt.datetime: lambda variant, n: dt.datetime(1901, 2, 3, 4, 5, 6, 100 * n + variant, tzinfo=dt.UTC),
    str: lambda variant, n: f"\x00compiled-read-{variant}-{n}\x00",
    int: lambda variant, n: -7_391_204_000 - 100 * n - variant,
}

_all_reads: list[CompiledRead[Any]] = []


class _Compiled:
    __slots__ = ("annotations", "converters", "end", "init_list", "params", "populators", "slots", "sql", "start")

    def __init__(self, sql: str, params: list[object], slots: list[tuple[int, str]], compiler: Any, alias: str):
        self.sql, self.params, self.slots = sql, params, slots
        klass_info, select = compiler.klass_info, compiler.select
        self.converters = list(compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]).items())
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())


class CompiledRead(Generic[M]):
    """``build(**values)`` returns the queryset to run; each value, passed by keyword and declared with its type
    (datetime, str or int), must reach the SQL as parameters of its own (filter values, not parts of an expression
    the database computes). Calling the read returns the list of instances ``list(build(**values))`` would."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], **kinds: type) -> None:
        self._model, self._build, self._kinds = model, build, kinds
        self._compiled: dict[str, _Compiled | None] = {}
        _all_reads.append(self)

    def __call__(self, **values: Any) -> list[M]:
        alias = router.db_for_read(self._model)
        try:
            compiled = self._compiled[alias]
        except KeyError:
            compiled = self._compiled[alias] = self._compile(alias)
        if compiled is None:
            return list(self._build(**values).using(alias))
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        model, init_list, start, end = self._model, compiled.init_list, compiled.start, compiled.end
        found = []
        for row in rows:
            if compiled.converters:
                row = list(row)
                for position, (converters, expression) in compiled.converters:
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def _compiled_with(self, alias: str, variant: int) -> tuple[Any, str, list[object], dict[str, object]]:
        ranks = dict.fromkeys(_STAND_INS, 0)
        stand_ins: dict[str, object] = {}
        for name, kind in self._kinds.items():
            stand_ins[name] = _STAND_INS[kind](variant, ranks[kind])
            ranks[kind] += 1
        queryset = self._build(**stand_ins).using(alias)
        plain = (
            type(queryset).__iter__ is QuerySet.__iter__
            and queryset._iterable_class is ModelIterable
            and not queryset._prefetch_related_lookups
            and not queryset._known_related_objects
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if not plain or compiler.has_extra_select or not compiler.klass_info or compiler.has_composite_fields(fields):
            raise _NotCompilable
        return compiler, sql, list(params), stand_ins

    def _compile(self, alias: str) -> _Compiled | None:
        if connections[alias].vendor != "postgresql":
            return None
        try:
            compiler, sql, params, stand_ins = self._compiled_with(alias, 1)
            _, other_sql, other_params, _ = self._compiled_with(alias, 2)
        except _NotCompilable:
            return None
        # The same statement whatever the values, which differ in the parameters only where a stand-in stands.
        if sql != other_sql or len(params) != len(other_params):
            return None
        slots: list[tuple[int, str]] = []
        for position, (value, other) in enumerate(zip(params, other_params)):
            if value == other:
                continue
            names = [n for n, stand_in in stand_ins.items() if type(value) is type(stand_in) and value == stand_in]
            if len(names) != 1:
                return None
            slots.append((position, names[0]))
        if {name for _, name in slots} != set(stand_ins):
            return None
        return _Compiled(sql, params, slots, compiler, alias)


class _NotCompilable(Exception):
    pass


@receiver(setting_changed)
def forget_compiled_reads(**kwargs: object) -> None:
    """A changed setting (in tests: the databases, the time zone) may change the SQL."""
    for read in _all_reads:
        read._compiled.clear()
