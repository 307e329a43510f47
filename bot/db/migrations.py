"""Append-only schema migrations, applied in order under `PRAGMA user_version`.

Never edit or reorder a released migration: add a new one at the end. Each migration is a
tuple of single SQL statements (run in one transaction together with the version bump).
Timestamps are REAL unix seconds (UTC).

A migration listed in `REBUILDS` rebuilds a table that other tables refer to (SQLite's
procedure for the changes ALTER TABLE cannot make, https://sqlite.org/lang_altertable.html):
it runs with foreign key enforcement off — with it on, dropping the old table would cascade
into the children, and the pragma cannot be changed inside the transaction, so the runner
turns it off before BEGIN — and `PRAGMA foreign_key_check` must find nothing before COMMIT.
"""

from __future__ import annotations

# The columns of `leads` after its id as release 2 made them: release 6 rebuilds the table
# with them (and those added since). Frozen like the migrations that use it.
_LEADS_V2_COLUMNS = """\
            user_id      INTEGER NOT NULL UNIQUE,
            status       TEXT    NOT NULL,
            qualified    INTEGER NOT NULL,
            qualification TEXT   NOT NULL DEFAULT '',
            source       TEXT,
            referrer_id  INTEGER,
            answers      TEXT    NOT NULL DEFAULT '{}',
            name         TEXT,
            company      TEXT,
            position     TEXT,
            phone        TEXT,
            call_time    TEXT,
            consent_id   INTEGER REFERENCES consents (id) ON DELETE SET NULL,
            draft_id     TEXT    NOT NULL,
            is_returning INTEGER NOT NULL DEFAULT 0,
            submissions  INTEGER NOT NULL DEFAULT 1,
            assignee_id  INTEGER,
            assignee_name TEXT,
            created_at   REAL    NOT NULL,
            updated_at   REAL    NOT NULL"""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: foundation — users, durable update inbox, FSM storage.
    (
        """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            first_name    TEXT    NOT NULL DEFAULT '',
            last_name     TEXT,
            username      TEXT,
            language_code TEXT,
            first_seen    REAL    NOT NULL,
            last_seen     REAL    NOT NULL,
            start_payload TEXT,
            lesson        INTEGER NOT NULL DEFAULT 0,
            lessons_done_at REAL
        )
        """,
        """
        CREATE TABLE inbox (
            update_id    INTEGER PRIMARY KEY,
            payload      TEXT    NOT NULL,
            received_at  REAL    NOT NULL,
            status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'done', 'failed')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            processed_at REAL,
            error        TEXT
        )
        """,
        "CREATE INDEX inbox_pending ON inbox (update_id) WHERE status = 'pending'",
        "CREATE INDEX inbox_processed_at ON inbox (processed_at) WHERE status <> 'pending'",
        """
        CREATE TABLE fsm (
            key     TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            state   TEXT,
            data    TEXT NOT NULL DEFAULT '{}',
            update_id INTEGER
        )
        """,
        "CREATE INDEX fsm_user ON fsm (user_id)",
        # What the bot already sent while handling an update: a replay after a crash
        # returns these instead of sending the same message twice.
        """
        CREATE TABLE sent_journal (
            update_id INTEGER NOT NULL,
            seq       INTEGER NOT NULL,
            method    TEXT    NOT NULL,
            response  TEXT    NOT NULL,
            at        REAL    NOT NULL,
            PRIMARY KEY (update_id, seq)
        ) WITHOUT ROWID
        """,
    ),
    # 2: diagnostic requests — consents (152-FZ), leads, the notification outbox, key-value.
    (
        """
        CREATE TABLE consents (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL,
            decided_at REAL    NOT NULL,
            decision   TEXT    NOT NULL CHECK (decision IN ('granted', 'declined')),
            text_hash  TEXT    NOT NULL,
            scopes     TEXT    NOT NULL
        )
        """,
        "CREATE INDEX consents_user ON consents (user_id)",
        """
        CREATE TABLE leads (
            id           INTEGER PRIMARY KEY,
"""
        + _LEADS_V2_COLUMNS
        + """
        )
        """,
        "CREATE INDEX leads_status ON leads (status, created_at)",
        "CREATE INDEX leads_created ON leads (created_at)",
        "CREATE INDEX leads_source ON leads (source)",
        "CREATE INDEX leads_qualified ON leads (qualified, created_at)",
        """
        CREATE TABLE outbox (
            id            INTEGER PRIMARY KEY,
            kind          TEXT    NOT NULL,
            dedup_key     TEXT    NOT NULL UNIQUE,
            lead_id       INTEGER REFERENCES leads (id) ON DELETE CASCADE,
            chat_id       INTEGER,
            payload       TEXT    NOT NULL DEFAULT '{}',
            status        TEXT    NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'sent', 'failed')),
            attempts      INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL  NOT NULL,
            created_at    REAL    NOT NULL,
            sent_at       REAL,
            last_error    TEXT
        )
        """,
        "CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'",
        """
        CREATE TABLE kv (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
    ),
    # 3: the consultants' group — where each card is, the bot's messages about a lead,
    # status history, notes, the refusal reason and the SLA reminder mark.
    (
        "ALTER TABLE leads ADD COLUMN lost_reason TEXT",
        "ALTER TABLE leads ADD COLUMN sla_reminded_at REAL",
        # No foreign key: a card outlives its erased lead until the tombstone replaces it.
        """
        CREATE TABLE lead_cards (
            lead_id    INTEGER PRIMARY KEY,
            chat_id    INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            thread_id  INTEGER,
            posted_at  REAL    NOT NULL,
            updated_at REAL    NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX lead_cards_message ON lead_cards (chat_id, message_id)",
        """
        CREATE TABLE lead_messages (
            chat_id    INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            lead_id    INTEGER NOT NULL,
            kind       TEXT    NOT NULL
                       CHECK (kind IN ('card', 'update', 'reminder', 'lost_prompt')),
            user_id    INTEGER,
            created_at REAL    NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        )
        """,
        "CREATE INDEX lead_messages_lead ON lead_messages (lead_id)",
        """
        CREATE TABLE lead_history (
            id          INTEGER PRIMARY KEY,
            lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
            at          REAL    NOT NULL,
            actor_id    INTEGER,
            actor_name  TEXT    NOT NULL DEFAULT '',
            from_status TEXT    NOT NULL,
            to_status   TEXT    NOT NULL,
            reason      TEXT
        )
        """,
        "CREATE INDEX lead_history_lead ON lead_history (lead_id, id)",
        "CREATE INDEX lead_history_to ON lead_history (to_status, lead_id)",
        """
        CREATE TABLE lead_notes (
            id          INTEGER PRIMARY KEY,
            lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
            at          REAL    NOT NULL,
            author_id   INTEGER NOT NULL,
            author_name TEXT    NOT NULL DEFAULT '',
            text        TEXT    NOT NULL,
            chat_id     INTEGER,
            message_id  INTEGER,
            UNIQUE (chat_id, message_id)
        )
        """,
        "CREATE INDEX lead_notes_lead ON lead_notes (lead_id, id)",
        "CREATE INDEX outbox_lane ON outbox (chat_id, id) WHERE status = 'pending'",
    ),
    # 4: sharing and the funnel — referral codes, first and latest touch, funnel events,
    # each owner's first arrival at each funnel step, thanks sent to referrers.
    (
        "ALTER TABLE users ADD COLUMN ref_code TEXT",
        "CREATE UNIQUE INDEX users_ref_code ON users (ref_code) WHERE ref_code IS NOT NULL",
        "ALTER TABLE users ADD COLUMN source TEXT",
        "ALTER TABLE users ADD COLUMN campaign TEXT",
        "ALTER TABLE users ADD COLUMN referrer_id INTEGER",
        "ALTER TABLE users ADD COLUMN last_source TEXT",
        "ALTER TABLE users ADD COLUMN last_campaign TEXT",
        "ALTER TABLE users ADD COLUMN last_touch_at REAL",
        "CREATE INDEX users_referrer ON users (referrer_id) WHERE referrer_id IS NOT NULL",
        """
        CREATE TABLE events (
            id      INTEGER PRIMARY KEY,
            user_id INTEGER,
            at      REAL    NOT NULL,
            kind    TEXT    NOT NULL,
            lead_id INTEGER,
            detail  TEXT
        )
        """,
        "CREATE INDEX events_user ON events (user_id)",
        "CREATE INDEX events_kind_at ON events (kind, at)",
        """
        CREATE TABLE funnel (
            user_id   INTEGER NOT NULL,
            step      TEXT    NOT NULL,
            at        REAL    NOT NULL,
            source    TEXT    NOT NULL,
            cohort_at REAL    NOT NULL,
            PRIMARY KEY (user_id, step)
        ) WITHOUT ROWID
        """,
        # Funnels are counted per cohort (owners who first came in the period): one covering
        # index scan in (step, source) order, no sorting, however long the history.
        "CREATE INDEX funnel_step_source ON funnel (step, source, cohort_at)",
        """
        CREATE TABLE referral_thanks (
            referrer_id INTEGER NOT NULL,
            friend_id   INTEGER NOT NULL,
            at          REAL    NOT NULL,
            PRIMARY KEY (referrer_id, friend_id)
        ) WITHOUT ROWID
        """,
    ),
    # 5: the sent journal of an update goes in the same transaction that marks the update
    # done or failed (it is only read when a pending update is replayed). Clearing it later in
    # bulk held the writer for over a second under load and kept copies of messages longer.
    (
        """
        CREATE TRIGGER sent_journal_of_finished_update
        AFTER UPDATE OF status ON inbox
        WHEN NEW.status <> 'pending'
        BEGIN
            DELETE FROM sent_journal WHERE update_id = NEW.update_id;
        END
        """,
        "DELETE FROM sent_journal WHERE update_id NOT IN "
        "(SELECT update_id FROM inbox WHERE status = 'pending')",
    ),
    # 6: lead numbers are never reused. Without AUTOINCREMENT, erasing the newest lead
    # freed its number for the next one, and everything named after it (the tombstone's
    # outbox key, cards, events, the consultants' memory of "№6") met a second person.
    # The sequence starts above every number ever handed out, also of leads erased before.
    (
        """
        CREATE TABLE leads_v6 (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
"""
        + _LEADS_V2_COLUMNS
        + """,
            lost_reason  TEXT,
            sla_reminded_at REAL
        )
        """,
        "INSERT INTO leads_v6 (id, user_id, status, qualified, qualification, source, "
        "referrer_id, answers, name, company, position, phone, call_time, consent_id, draft_id, "
        "is_returning, submissions, assignee_id, assignee_name, created_at, updated_at, "
        "lost_reason, sla_reminded_at) "
        "SELECT id, user_id, status, qualified, qualification, source, referrer_id, answers, "
        "name, company, position, phone, call_time, consent_id, draft_id, is_returning, "
        "submissions, assignee_id, assignee_name, created_at, updated_at, lost_reason, "
        "sla_reminded_at FROM leads",
        "DROP TABLE leads",
        "ALTER TABLE leads_v6 RENAME TO leads",
        "CREATE INDEX leads_status ON leads (status, created_at)",
        "CREATE INDEX leads_created ON leads (created_at)",
        "CREATE INDEX leads_source ON leads (source)",
        "CREATE INDEX leads_qualified ON leads (qualified, created_at)",
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'leads', 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'leads')",
        # Numbers of erased leads live on in the tombstones' outbox rows, events and the
        # group's message map: the next number is above all of them.
        """
        UPDATE sqlite_sequence SET seq = (
            SELECT max(coalesce(max(n), 0), seq) FROM (
                SELECT max(id) AS n FROM leads
                UNION ALL SELECT max(lead_id) FROM outbox
                UNION ALL SELECT max(CAST(json_extract(payload, '$.lead_id') AS INTEGER))
                          FROM outbox WHERE kind = 'lead_erased' AND json_valid(payload)
                UNION ALL SELECT max(lead_id) FROM events
                UNION ALL SELECT max(lead_id) FROM lead_cards
                UNION ALL SELECT max(lead_id) FROM lead_messages
            )
        ) WHERE name = 'leads'
        """,
    ),
    # 7: every message that shows a lead's personal data is on record, wherever it went, so
    # erasure can replace it: besides the group's card and notices, /lead answers ('view')
    # and /leads pages ('page', one row per lead listed; `detail` holds the page's filter,
    # number and page count as JSON), in the group and in consultants' private chats.
    (
        """
        CREATE TABLE lead_messages_v7 (
            chat_id    INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            lead_id    INTEGER NOT NULL,
            kind       TEXT    NOT NULL
                       CHECK (kind IN ('card', 'update', 'reminder', 'lost_prompt', 'view',
                                       'page')),
            user_id    INTEGER,
            created_at REAL    NOT NULL,
            detail     TEXT,
            PRIMARY KEY (chat_id, message_id, lead_id)
        )
        """,
        "INSERT INTO lead_messages_v7 (chat_id, message_id, lead_id, kind, user_id, created_at) "
        "SELECT chat_id, message_id, lead_id, kind, user_id, created_at FROM lead_messages",
        "DROP TABLE lead_messages",
        "ALTER TABLE lead_messages_v7 RENAME TO lead_messages",
        "CREATE INDEX lead_messages_lead ON lead_messages (lead_id)",
    ),
    # 8: replies — the Bot API calls an update committed, owed to Telegram until it takes
    # them (they replace the sent journal: an update's effects and its replies now commit
    # together, so nothing is replayed and nothing needs to be remembered as sent).
    (
        """
        CREATE TABLE replies (
            id              INTEGER PRIMARY KEY,
            lane            INTEGER NOT NULL,
            method          TEXT    NOT NULL,
            payload         TEXT    NOT NULL,
            file            BLOB,
            track           TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL    NOT NULL,
            created_at      REAL    NOT NULL,
            last_error      TEXT,
            otherwise_method  TEXT,
            otherwise_payload TEXT
        )
        """,
        "CREATE INDEX replies_lane ON replies (lane, id)",
        "DROP TRIGGER sent_journal_of_finished_update",
        "DROP TABLE sent_journal",
    ),
    # 9: follow-ups (bot/nudges) — reminders with their due time, one pending per owner and
    # kind (a step that reschedules one updates it in place; a step that makes it obsolete
    # deletes it); sent ones stay for /stats with the owner's return and submission marks.
    # Owners who asked for no reminders (/stop) or blocked the bot are marked in `users`.
    (
        """
        CREATE TABLE nudges (
            id           INTEGER PRIMARY KEY,
            user_id      INTEGER NOT NULL,
            kind         TEXT    NOT NULL,
            seq          INTEGER NOT NULL DEFAULT 1,
            due_at       REAL    NOT NULL,
            payload      TEXT    NOT NULL DEFAULT '{}',
            status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sent', 'dropped', 'failed')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            created_at   REAL    NOT NULL,
            sent_at      REAL,
            reason       TEXT,
            returned_at  REAL,
            submitted_at REAL,
            next_due_at  REAL
        )
        """,
        # Marking a reminder sent is one statement (the sender's write is group-committed
        # with others instead of holding the writer for a transaction of its own): the same
        # statement logs its funnel event (`nudge_<kind>`, bot.domain.nudge_step) and
        # schedules the next of its series when the sender gave its due time — unless the
        # owner stopped reminders or blocked the bot, or one of that kind is pending again.
        """
        CREATE TRIGGER nudge_sent AFTER UPDATE OF status ON nudges
        WHEN NEW.status = 'sent' AND OLD.status = 'pending'
        BEGIN
            INSERT INTO events (user_id, at, kind, detail)
            VALUES (NEW.user_id, NEW.sent_at, 'nudge_' || NEW.kind, NEW.seq);
            INSERT OR IGNORE INTO nudges (user_id, kind, seq, due_at, payload, created_at)
            SELECT NEW.user_id, NEW.kind, NEW.seq + 1, NEW.next_due_at, NEW.payload, NEW.sent_at
            WHERE NEW.next_due_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM users WHERE id = NEW.user_id
                AND (nudges_off_at IS NOT NULL OR blocked_at IS NOT NULL)
            );
        END
        """,
        "CREATE INDEX nudges_due ON nudges (due_at, id) WHERE status = 'pending'",
        "CREATE UNIQUE INDEX nudges_pending ON nudges (user_id, kind) WHERE status = 'pending'",
        "CREATE INDEX nudges_sent ON nudges (user_id, sent_at) WHERE status = 'sent'",
        "CREATE INDEX nudges_sent_at ON nudges (sent_at) WHERE status = 'sent'",
        "ALTER TABLE users ADD COLUMN nudges_off_at REAL",
        "ALTER TABLE users ADD COLUMN blocked_at REAL",
    ),
    # 10: booking the diagnostic — each booking of a slot (instants in UTC; a slot is a
    # wall-clock time in TIMEZONE), the consultants' closed and opened times, and booking
    # events in the status history. A slot's seat (0 … DIAGNOSTIC_PARALLEL-1) is held by at
    # most one active booking, and a lead has at most one active booking: the unique
    # indexes refuse a double booking even if a conditional insert were ever wrong.
    (
        """
        CREATE TABLE bookings (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id       INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
            starts_at     REAL    NOT NULL,
            ends_at       REAL    NOT NULL,
            seat          INTEGER NOT NULL,
            state         TEXT    NOT NULL DEFAULT 'active'
                          CHECK (state IN ('active', 'moved', 'cancelled', 'held', 'no_show')),
            status_before TEXT,
            created_at    REAL    NOT NULL,
            confirmed_at  REAL,
            closed_at     REAL,
            reason        TEXT,
            CHECK (ends_at > starts_at)
        )
        """,
        "CREATE UNIQUE INDEX bookings_seat ON bookings (starts_at, seat) WHERE state = 'active'",
        "CREATE UNIQUE INDEX bookings_lead_active ON bookings (lead_id) WHERE state = 'active'",
        "CREATE INDEX bookings_active_end ON bookings (ends_at) WHERE state = 'active'",
        "CREATE INDEX bookings_lead ON bookings (lead_id, id)",
        """
        CREATE TABLE availability (
            id         INTEGER PRIMARY KEY,
            starts_at  REAL    NOT NULL,
            ends_at    REAL    NOT NULL,
            kind       TEXT    NOT NULL CHECK (kind IN ('busy', 'free')),
            actor_id   INTEGER,
            actor_name TEXT    NOT NULL DEFAULT '',
            created_at REAL    NOT NULL,
            CHECK (ends_at > starts_at)
        )
        """,
        "CREATE INDEX availability_end ON availability (ends_at)",
        "ALTER TABLE lead_history ADD COLUMN event TEXT",
        "ALTER TABLE lead_history ADD COLUMN slot_at REAL",
    ),
    # 11: consultants talk to owners through the bot. `lead_topics`: the forum topic of each
    # lead. `relay_messages`: which message became which on the other side (ids only, never
    # texts), to relay edits and replies and to replace the copies on erasure; the owner's
    # chat is the lead's owner, so no user id is kept. `first_contacts`: when each lead was
    # first contacted, by whom and how (for /stats; no personal data, kept after erasure
    # like the funnel's counts). `duty`: consultants on duty for round-robin assignment.
    # `sla_escalated_at`: the admins were told the lead is still waiting.
    (
        """
        CREATE TABLE lead_topics (
            lead_id    INTEGER PRIMARY KEY,
            chat_id    INTEGER NOT NULL,
            thread_id  INTEGER NOT NULL,
            closed     INTEGER NOT NULL DEFAULT 0,
            created_at REAL    NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX lead_topics_thread ON lead_topics (chat_id, thread_id)",
        """
        CREATE TABLE relay_messages (
            id               INTEGER PRIMARY KEY,
            lead_id          INTEGER NOT NULL,
            direction        TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
            owner_message_id INTEGER NOT NULL,
            chat_id          INTEGER NOT NULL,
            message_id       INTEGER NOT NULL,
            header_id        INTEGER,
            form             TEXT    NOT NULL
                             CHECK (form IN ('text', 'caption', 'plain_text', 'plain_caption',
                                             'fixed')),
            at               REAL    NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX relay_owner_side ON relay_messages (lead_id, direction, "
        "owner_message_id)",
        "CREATE UNIQUE INDEX relay_group_side ON relay_messages (chat_id, message_id, direction)",
        """
        CREATE TABLE first_contacts (
            lead_id         INTEGER PRIMARY KEY,
            submitted_at    REAL    NOT NULL,
            contacted_at    REAL    NOT NULL,
            consultant_id   INTEGER,
            consultant_name TEXT    NOT NULL DEFAULT '',
            source          TEXT,
            via             TEXT    NOT NULL CHECK (via IN ('message', 'status'))
        )
        """,
        "CREATE INDEX first_contacts_submitted ON first_contacts (submitted_at)",
        """
        CREATE TABLE duty (
            user_id          INTEGER PRIMARY KEY,
            name             TEXT    NOT NULL DEFAULT '',
            on_duty          INTEGER NOT NULL DEFAULT 0,
            since            REAL,
            last_assigned_at REAL
        )
        """,
        "ALTER TABLE leads ADD COLUMN sla_escalated_at REAL",
    ),
)

REBUILDS: frozenset[int] = frozenset({6})
"""Migration numbers that rebuild a referenced table (see the module docstring)."""

LATEST_VERSION = len(MIGRATIONS)
