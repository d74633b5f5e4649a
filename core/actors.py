"""Who takes a step, said explicitly. ``None`` used to mean both "the applicant" and "the system" and skipped every
permission check; a service now gets one of:

- a staff **user** (``django.contrib.auth`` user), checked against the app's permission pairs;
- an **Applicant**: the applicant of one case, proven by its tracking code and secret, who may take only the steps
  the law gives applicants on that case (send a correction, withdraw);
- the **System** with the name of the job or command acting (the deadline sweep, ``load_demo``), which asks no
  permission and is named in the log.

``None`` is refused (``ActorRequired``): a caller that forgets to say who acts fails loudly instead of acting as
anybody. Every aggregate's services take typed actors (``Actor`` or ``StaffOrSystem``); a staff user is what a record's
actor column stores, the job is named in its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class ActorRequired(TypeError):
    """A service was called without saying who acts."""


@dataclass(frozen=True)
class System:
    """A scheduled job or a management command acting on its own."""

    job: str

    def __str__(self) -> str:
        return f"系统（{self.job}）"


@dataclass(frozen=True)
class Applicant:
    """The applicant of the case ``request_id``, proven by its tracking code and secret
    (``requests_app.selectors.request_for_applicant``)."""

    request_id: int

    def __str__(self) -> str:
        return "申请人"


#: A signed-in person as a view has them (``request.user``; the permission pairs refuse an anonymous one).
User: TypeAlias = "AbstractBaseUser | AnonymousUser"
#: Who may act on an application: its handlers and reviewers, its applicant, or a job.
Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | Applicant | System"
#: Who may act on everything else: a staff user or a job (an applicant acts only on their own application).
StaffOrSystem: TypeAlias = "AbstractBaseUser | AnonymousUser | System"


def require(actor: Any) -> Any:
    if actor is None:
        raise ActorRequired("who acts must be given: a staff user, Applicant(request_id) or System(job)")
    return actor


def as_user(actor: Any) -> User:
    """``actor`` as the person it is, for a permission pair; only called once the system and applicants are decided
    (``core.workflow.permitted``)."""
    if actor is None or isinstance(actor, System | Applicant):
        raise TypeError(f"{actor!r} is not a person")
    return actor


def staff_user(actor: Any) -> Any:
    """The staff user behind ``actor``, or None for an applicant or the system (what a record's actor column holds)."""
    return None if actor is None or isinstance(actor, System | Applicant) else actor


def is_staff(actor: Any) -> bool:
    return staff_user(actor) is not None
