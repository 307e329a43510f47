"""One object that carries every repository, handed to handlers as `repo`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.database import Database
from bot.db.fsm_storage import SQLiteStorage
from bot.db.inbox import InboxRepo
from bot.db.users import UserRepo


@dataclass(slots=True)
class Repositories:
    db: Database
    users: UserRepo
    inbox: InboxRepo
    fsm: SQLiteStorage

    @classmethod
    def create(cls, db: Database) -> Repositories:
        return cls(db=db, users=UserRepo(db), inbox=InboxRepo(db), fsm=SQLiteStorage(db))
