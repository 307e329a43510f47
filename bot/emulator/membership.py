"""Users, groups and who is in them; who the bot may write to and what Telegram says if not.

Mixed into `BotWorld`. Control methods raise `ControlError` on misuse; the access checks used
by Bot API methods raise Telegram's exact `ApiError`s (chat not found, blocked, kicked,
migrated, can't initiate conversation).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.emulator.errors import ControlError, bad_request, chat_not_found, forbidden, group_migrated
from bot.emulator.models import ChatRecord, UserRecord

if TYPE_CHECKING:
    from bot.emulator.world import BotWorld

FIRST_USER_ID = 10_000_001
FIRST_GROUP_ID = -500_000_001
FIRST_SUPERGROUP_ID = -1_002_000_000_001
# The rights every ChatAdministratorRights object carries (next to is_anonymous) …
REQUIRED_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
# … and all an administrator of a group may hold.
ADMIN_RIGHTS = (
    *REQUIRED_ADMIN_RIGHTS,
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
    "can_manage_tags",
)
GROUP_ONLY_RIGHTS = frozenset({"can_pin_messages", "can_manage_tags"})  # not in channels
SUPERGROUP_ONLY_RIGHTS = frozenset({"can_manage_topics"})


def _rights(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    unknown = set(names) - set(ADMIN_RIGHTS)
    if unknown:
        raise ControlError(f"unknown administrator rights {sorted(unknown)}")
    return frozenset(names)


class MembershipMixin:
    # -- users ------------------------------------------------------------------------------

    def add_user(
        self: BotWorld,
        user_id: int | None = None,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        is_bot: bool = False,
        started: bool = False,
    ) -> UserRecord:
        """Create (or update) a user and their private chat with the bot.

        `started=False` models a user who never wrote to the bot: the bot cannot message
        them until they do (Telegram's "bot can't initiate conversation with a user")."""
        if user_id is None:
            user_id = FIRST_USER_ID
            while user_id in self.users or user_id == self.bot_id:
                user_id += 1
        if user_id <= 0:
            raise ControlError("user ids are positive")
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = UserRecord(user_id, first_name)
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        user.is_bot = is_bot
        user.started = user.started or started
        chat = self.chats.get(user_id)
        if chat is None:
            chat = self.chats[user_id] = ChatRecord(user_id, "private")
            chat.members.add(user_id)
        chat.first_name, chat.last_name, chat.username = first_name, last_name, username
        return user

    def user(self: BotWorld, user_id: int) -> UserRecord:
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(f"unknown user {user_id}; add it first", status=404)
        return user

    def user_json(self: BotWorld, user_id: int) -> dict[str, Any] | None:
        """The Telegram User object of a known user (or the bot); None if unknown."""
        if user_id == self.bot_id:
            return self.bot_user
        user = self.users.get(user_id)
        return user.to_telegram() if user is not None else None

    def block_bot(self: BotWorld, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot; Telegram tells the bot via my_chat_member."""
        user = self.user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self.announce_bot_status(self.chats[user_id], user.to_telegram(), old, new)

    # -- groups -----------------------------------------------------------------------------

    def add_group(
        self: BotWorld,
        chat_id: int | None = None,
        title: str = "Group",
        type: str = "group",
        is_forum: bool = False,
        members: list[int] | tuple[int, ...] = (),
        admins: list[int] | tuple[int, ...] = (),
        creator: int | None = None,
        username: str | None = None,
        bot_present: bool = True,
        bot_admin: bool = False,
        bot_rights: list[str] | None = None,
    ) -> ChatRecord:
        """Create a group or supergroup; admins and the creator are members too."""
        if type not in ("group", "supergroup"):
            raise ControlError("group type must be 'group' or 'supergroup'")
        if is_forum and type != "supergroup":
            raise ControlError("only supergroups can be forums")
        if chat_id is None:
            chat_id = FIRST_GROUP_ID if type == "group" else FIRST_SUPERGROUP_ID
            while chat_id in self.chats:
                chat_id -= 1
        if chat_id >= 0:
            raise ControlError("group chat ids are negative")
        if chat_id in self.chats:
            raise ControlError(f"chat {chat_id} already exists", status=409)
        for user_id in (*members, *admins, *([creator] if creator is not None else [])):
            self.user(user_id)
        chat = ChatRecord(chat_id, type, title=title, username=username, is_forum=is_forum)
        chat.members.update(members, admins)
        chat.admins.update(admins)
        if creator is not None:
            chat.creator = creator
            chat.members.add(creator)
        chat.bot_present, chat.bot_admin = bot_present, bot_admin
        if bot_rights is not None:
            chat.bot_rights = _rights(bot_rights)
        self.chats[chat_id] = chat
        if username:
            self.chats_by_username[username.lower().lstrip("@")] = chat
        return chat

    def group(self: BotWorld, chat_id: int) -> ChatRecord:
        chat = self.chats.get(chat_id)
        if chat is None or chat.is_private:
            raise ControlError(f"unknown group {chat_id}", status=404)
        return chat

    def add_member(self: BotWorld, chat_id: int, user_id: int, admin: bool = False) -> None:
        with self._member_change(chat_id, user_id) as chat:
            chat.members.add(user_id)
            chat.banned.discard(user_id)
            if admin:
                chat.admins.add(user_id)

    def remove_member(self: BotWorld, chat_id: int, user_id: int, banned: bool = False) -> None:
        with self._member_change(chat_id, user_id) as chat:
            chat.members.discard(user_id)
            chat.admins.discard(user_id)
            if banned:
                chat.banned.add(user_id)

    def set_admin(self: BotWorld, chat_id: int, user_id: int, admin: bool) -> None:
        """Promote a member to administrator, or demote one back to member."""
        with self._member_change(chat_id, user_id) as chat:
            if user_id not in chat.members:
                raise ControlError(f"user {user_id} is not a member of {chat_id}")
            if admin:
                chat.admins.add(user_id)
            else:
                chat.admins.discard(user_id)

    @contextmanager
    def _member_change(self: BotWorld, chat_id: int, user_id: int) -> Iterator[ChatRecord]:
        """The group, for the block to change `user_id`'s membership in it; then the bot is
        told of the change as Telegram tells it (`_chat_member`)."""
        chat, user = self.group(chat_id), self.user(user_id)
        old = self.member_status(chat, user_id)["status"]
        yield chat
        self._chat_member(chat, user, old)

    def set_bot_in_chat(
        self: BotWorld,
        chat_id: int,
        present: bool,
        *,
        not_found: bool = False,
        admin: bool | None = None,
        by: int | None = None,
        rights: list[str] | None = None,
    ) -> None:
        """Add or remove the bot. An absent bot's sends answer 403 kicked, or with
        `not_found=True` 400 chat not found. `rights`: the administrator rights it gets
        (by default all of them). Emits my_chat_member like Telegram."""
        chat = self.group(chat_id)
        old = "administrator" if chat.bot_admin else "member"
        if not chat.bot_present:
            old = "kicked" if chat.absent_reason == "kicked" else "left"
        old_rights = chat.bot_rights
        chat.bot_present = present
        chat.absent_reason = "not_found" if not_found else "kicked"
        if admin is not None:
            chat.bot_admin = admin
        if rights is not None:
            chat.bot_rights = _rights(rights)
        new = ("administrator" if chat.bot_admin else "member") if present else "kicked"
        if old != new or (new == "administrator" and chat.bot_rights != old_rights):
            actor = self.user(by).to_telegram() if by is not None else self._some_admin(chat)
            self.announce_bot_status(chat, actor, old, new)

    def migrate_group(self: BotWorld, chat_id: int) -> int:
        """Upgrade a basic group to a supergroup; returns the new -100… id."""
        old = self.group(chat_id)
        if old.type != "group":
            raise ControlError("only basic groups can be migrated")
        if old.migrated_to is not None:
            return old.migrated_to
        new_id = -(1_000_000_000_000 + abs(chat_id) % 10**10)
        while new_id in self.chats:
            new_id -= 1
        new = ChatRecord(new_id, "supergroup", title=old.title, username=old.username)
        new.members, new.admins, new.banned = set(old.members), set(old.admins), set(old.banned)
        new.creator, new.bot_present, new.bot_admin = old.creator, old.bot_present, old.bot_admin
        new.bot_rights = old.bot_rights
        new.migrated_from = chat_id
        old.migrated_to = new_id
        self.chats[new_id] = new
        if old.username:
            self.chats_by_username[old.username.lower()] = new
        if old.bot_present:
            actor = self._some_admin(old)
            self._service_message(old, actor, {"migrate_to_chat_id": new_id})
            self._service_message(new, actor, {"migrate_from_chat_id": chat_id})
        return new_id

    # -- access checks used by the Bot API --------------------------------------------------

    def resolve_chat(self: BotWorld, chat_id: Any) -> ChatRecord:
        if isinstance(chat_id, int) and not isinstance(chat_id, bool):
            chat = self.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = self.chats_by_username.get(chat_id[1:].lower())
        else:
            chat = None
        if chat is None:
            if chat_id is None or chat_id == "":
                raise bad_request("chat_id is empty")
            raise chat_not_found()
        return chat

    def check_readable(self: BotWorld, chat: ChatRecord) -> None:
        if chat.is_private:
            return
        if chat.migrated_to is not None:
            raise group_migrated(chat.migrated_to)
        if not chat.bot_present:
            if chat.absent_reason == "not_found":
                raise chat_not_found()
            kind = "supergroup" if chat.type == "supergroup" else "group"
            if chat.absent_reason == "left":
                raise forbidden(f"bot is not a member of the {kind} chat")
            raise forbidden(f"bot was kicked from the {kind} chat")

    def check_sendable(self: BotWorld, chat: ChatRecord) -> None:
        if not chat.is_private:
            self.check_readable(chat)
            return
        user = self.users[chat.id]
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if user.is_bot:
            raise forbidden("bot can't send messages to bots")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")

    def chat_for_send(self: BotWorld, chat_id: Any) -> ChatRecord:
        chat = self.resolve_chat(chat_id)
        self.check_sendable(chat)
        return chat

    def chat_for_read(self: BotWorld, chat_id: Any) -> ChatRecord:
        chat = self.resolve_chat(chat_id)
        self.check_readable(chat)
        return chat

    def member_status(self: BotWorld, chat: ChatRecord, user_id: int) -> dict[str, Any]:
        """Telegram ChatMember object of a user (or the bot) in a chat."""
        if user_id == self.bot_id:
            user = self.bot_user
            if not chat.is_private and not chat.bot_present:
                return {"status": "left", "user": user}
            if chat.bot_admin and not chat.is_private:
                return self._administrator(chat, user, chat.bot_rights)
            return {"status": "member", "user": user}
        record = self.users.get(user_id)
        if record is None:
            raise bad_request("user not found")
        user = record.to_telegram()
        if chat.is_private:
            if user_id != chat.id:
                raise bad_request("user not found")
            return {"status": "member", "user": user}
        if chat.creator == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in chat.admins:
            return self._administrator(chat, user)
        if user_id in chat.members:
            return {"status": "member", "user": user}
        if user_id in chat.banned:
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": "left", "user": user}

    def administrators(self: BotWorld, chat: ChatRecord) -> list[dict[str, Any]]:
        ids = ([chat.creator] if chat.creator is not None else []) + sorted(chat.admins)
        found = [self.member_status(chat, user_id) for user_id in dict.fromkeys(ids)]
        if chat.bot_present and chat.bot_admin:
            found.append(self.member_status(chat, self.bot_id))
        return found

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _administrator(
        chat: ChatRecord, user: dict[str, Any], rights: frozenset[str] | None = None
    ) -> dict[str, Any]:
        """ChatMemberAdministrator with the rights of its chat type (pinning and tags in
        groups, topics in supergroups; `rights` None: every right) and the legacy
        can_manage_voice_chats the Bot API still writes."""
        member: dict[str, Any] = {"status": "administrator", "user": user, "can_be_edited": False}
        for right in ADMIN_RIGHTS:
            if right in SUPERGROUP_ONLY_RIGHTS and chat.type != "supergroup":
                continue
            if right in GROUP_ONLY_RIGHTS and chat.type not in ("group", "supergroup"):
                continue
            member[right] = rights is None or right in rights
        member["can_manage_voice_chats"] = member["can_manage_video_chats"]
        member["is_anonymous"] = False
        return member

    def _some_admin(self: BotWorld, chat: ChatRecord) -> dict[str, Any]:
        for user_id in (chat.creator, *sorted(chat.admins), *sorted(chat.members)):
            if user_id is not None and user_id in self.users:
                return self.users[user_id].to_telegram()
        return {"id": 777000, "is_bot": False, "first_name": "Telegram"}

    def announce_bot_status(
        self: BotWorld, chat: ChatRecord, actor: dict[str, Any], old: str, new: str
    ) -> None:
        bot = self.bot_user
        self.enqueue(
            {
                "my_chat_member": {
                    "chat": chat.to_telegram(),
                    "from": actor,
                    "date": int(time.time()),
                    "old_chat_member": self._status_object(chat, old, bot),
                    "new_chat_member": self._status_object(chat, new, bot),
                }
            }
        )

    def _chat_member(self: BotWorld, chat: ChatRecord, user: UserRecord, old: str) -> None:
        """Telegram tells a bot about other members' changes only where it is an admin."""
        new_member = self.member_status(chat, user.id)
        if not (chat.bot_present and chat.bot_admin) or new_member["status"] == old:
            return
        self.enqueue(
            {
                "chat_member": {
                    "chat": chat.to_telegram(),
                    "from": self._some_admin(chat),
                    "date": int(time.time()),
                    "old_chat_member": self._status_object(chat, old, user.to_telegram()),
                    "new_chat_member": new_member,
                }
            }
        )

    def _status_object(
        self: BotWorld, chat: ChatRecord, status: str, user: dict[str, Any]
    ) -> dict[str, Any]:
        if status == "administrator":
            rights = chat.bot_rights if user["id"] == self.bot_id else None
            return self._administrator(chat, user, rights)
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        return {"status": status, "user": user}

    def _service_message(
        self: BotWorld, chat: ChatRecord, actor: dict[str, Any], fields: dict[str, Any]
    ) -> None:
        message = self.post_message(chat, sender=actor, from_bot=False, kind="service")
        message.extra.update(fields)
        self.enqueue({"message": message.to_telegram()})
