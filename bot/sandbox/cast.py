"""Who lives in the sandbox: the consultants' group with its people, owners, sample phones.

`seed_world` fills a fresh emulator world (after start-up or a reset) with the same cast every
time, so the bot's ADMIN_IDS and CONSULTANTS_CHAT_ID stay valid across resets. New owners
and consultants are added on demand with names from small pools.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from bot.content import DEFAULT_CONTENT_DIR
from bot.emulator.world import BotWorld

BOT_USERNAME = "sales_funnel_sandbox_bot"
GROUP_ID = -1_002_000_000_001

# Names come from content/sandbox/cast.toml; ids are fixed far from the emulator's automatic ones
# (10_000_001, 10_000_002, …), so ADMIN_IDS and the group stay valid across resets.
_CAST: dict[str, Any] = tomllib.loads(
    (DEFAULT_CONTENT_DIR / "sandbox" / "cast.toml").read_text(encoding="utf-8")
)["sandbox_cast"]
Person = tuple[str, str, str]


def _people(key: str) -> tuple[Person, ...]:
    return tuple((first, last, username) for first, last, username in _CAST[key])


BOT_FIRST_NAME: str = _CAST["bot_name"]
GROUP_TITLE: str = _CAST["group_title"]
ADMIN = (70_000_001, *_CAST["admin"])
CONSULTANTS = tuple(
    (70_000_002 + index, *person) for index, person in enumerate(_people("consultants"))
)
FIRST_OWNER: Person = tuple(_CAST["first_owner"])  # type: ignore[assignment]
OWNER_NAMES = _people("owners")
CONSULTANT_NAMES = _people("more_consultants")

ROLE_OWNER, ROLE_CONSULTANT = "owner", "consultant"


@dataclass(frozen=True, slots=True)
class Cast:
    group_id: int
    admin_ids: frozenset[int]
    consultant_ids: tuple[int, ...]
    first_owner_id: int


def sample_phone(user_id: int) -> str:
    """A valid-looking Russian mobile number, the same for a user every time."""
    digits = f"{user_id % 10_000_000:07d}"
    return f"+7 999 {digits[:3]}-{digits[3:5]}-{digits[5:]}"


def seed_world(world: BotWorld) -> Cast:
    """Create the group (a forum: an admin and two consultants) and the first owner in an
    empty world."""
    world.username, world.first_name = BOT_USERNAME, BOT_FIRST_NAME
    people = (*CONSULTANTS, ADMIN)
    for user_id, first_name, last_name, username in people:
        world.add_user(user_id, first_name, last_name, username, started=True)
    world.add_group(
        GROUP_ID,
        GROUP_TITLE,
        "supergroup",
        is_forum=True,  # a topic per lead; the bot may make them (an admin with that right)
        members=[user_id for user_id, *_ in CONSULTANTS],
        admins=[ADMIN[0]],
        creator=ADMIN[0],
        bot_admin=True,
        bot_rights=["can_manage_topics", "can_delete_messages", "can_pin_messages"],
    )
    first_name, last_name, username = FIRST_OWNER
    owner = world.add_user(first_name=first_name, last_name=last_name, username=username)
    return Cast(
        group_id=GROUP_ID,
        admin_ids=frozenset({ADMIN[0]}),
        consultant_ids=tuple(user_id for user_id, *_ in people),
        first_owner_id=owner.id,
    )


def _new_name(
    world: BotWorld, first_name: str | None, pool: tuple[Person, ...], fallback: str
) -> tuple[str, str | None, str | None]:
    """First name, last name and username of a newcomer: the first name given, else the
    first of `pool` nobody in the world has yet, else `fallback` numbered."""
    if first_name:
        return first_name, None, None
    known = {user.first_name for user in world.users.values()}
    for person in pool:
        if person[0] not in known:
            return person
    return f"{_CAST[fallback]} {len(world.users) + 1}", None, None


def add_owner(world: BotWorld, first_name: str | None = None) -> dict[str, Any]:
    """A new owner who has not written to the bot yet."""
    first_name, last_name, username = _new_name(
        world, first_name, OWNER_NAMES, "owner_fallback"
    )
    user = world.add_user(first_name=first_name, last_name=last_name, username=username)
    return user.to_dict()


def add_consultant(world: BotWorld, first_name: str | None = None) -> dict[str, Any]:
    """A new member of the consultants' group (Telegram tells the bot with chat_member)."""
    first_name, last_name, username = _new_name(
        world, first_name, CONSULTANT_NAMES, "consultant_fallback"
    )
    user = world.add_user(
        first_name=first_name, last_name=last_name, username=username, started=True
    )
    world.add_member(GROUP_ID, user.id)
    return user.to_dict()


def people(world: BotWorld) -> dict[str, list[dict[str, Any]]]:
    """Owners (everyone outside the group) and consultants (its members), oldest first."""
    group = world.chats.get(GROUP_ID)
    members = group.members if group is not None else set()
    owners, consultants = [], []
    for user in world.users.values():
        entry = {**user.to_dict(), "phone": sample_phone(user.id)}
        if user.id in members:
            consultants.append({**entry, "admin": user.id == ADMIN[0]})
        else:
            owners.append(entry)
    return {"owners": owners, "consultants": consultants}
