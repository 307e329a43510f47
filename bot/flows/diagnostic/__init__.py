"""The diagnostic request flow: qualification, segments, consent, contacts, review, submit."""

from bot.flows.diagnostic.handlers import build_fallback_router, build_router
from bot.flows.diagnostic.states import DiagnosticStates

__all__ = ["DiagnosticStates", "build_fallback_router", "build_router"]
