"""Template filters for background jobs (the import page)."""

from __future__ import annotations

from typing import Any

from django import template

from renkou.jobs.services import user_may_import

register = template.Library()


@register.filter
def may_import(user: Any) -> bool:
    """Whether the import link is shown (county administrators and township clerks)."""
    return user_may_import(user)
