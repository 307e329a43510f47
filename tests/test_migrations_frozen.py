"""Released migrations never change: each one's statements are pinned by their hash."""

from __future__ import annotations

import hashlib

from bot.db.migrations import MIGRATIONS

# sha256 of each released migration's statements joined by NUL, as released. A new
# migration adds its line here; a changed hash means a released migration was edited.
RELEASED = {
    1: "896794034a3bf6a2c75e8da3d05c907da7b7ad4836aab7930b76dfa9c3b413ae",
    2: "9cc9afa86a6f9d79170969efae1e5da1db26905f40dc61b18b4acf5690d3cef2",
    3: "7e8aa2112619f2b460a619af4a0ebd411ed4ed11fb3c7cd71184a8a8b3c3a113",
    4: "a8f9925a3377a6195c6ebd3150dd250c1decc670c58464bb8a4164249372ae19",
    5: "2d196d2722f4b4f33c9b63d562c4933f42ac2ca89a3e28edb76c564f53d79a8e",
    6: "e30cf28dfbb40484b16bf3a253b66fc4f28dcc957ce0a109eaf8ab51b36b711b",
    7: "0b40d191465358b579bf9a7108f68d15b1fa4c8596b51d5c9cd184ddf2ba2605",
    8: "eb25de5de790bf9c35832962930ee3436607daa5f76ef2ff01c9370309315c42",
    9: "6c6632e541e78989fbc1d0f1f8de072df4a48d1733501d415866d7bd3460377f",
    10: "95cbde2e3843abda03cbb99548ee64e0829ae30a98fcf82695b774058d7acfc6",
    11: "46fdbedc90dba480d56e28ec46c329165b3cc152798d6f1ad8a18a36da30424c",
}


def test_released_migrations_are_byte_for_byte_as_released() -> None:
    for version, expected in RELEASED.items():
        statements = MIGRATIONS[version - 1]
        assert hashlib.sha256("\0".join(statements).encode()).hexdigest() == expected, version
