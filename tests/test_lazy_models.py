"""aiogram imported through `bot.lazy_models`: its models are built on first use, and every
one of them (types, methods, the envelopes of their answers) comes out exactly as aiogram's
own eager import builds it, even when built in the least favourable order."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from tests.e2e.harness import ROOT

pytestmark = pytest.mark.process

# Prints, for every model in aiogram.types and aiogram.methods, a digest of its JSON schema
# (fields, types, nested models, defaults); "lazy" imports aiogram the way `bot` does.
DIGESTS = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
if sys.argv[1] == "lazy":
    import bot  # imports aiogram through bot.lazy_models
import aiogram.methods, aiogram.types
from aiogram.methods.base import Response
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
assert aiogram.types.InlineKeyboardButton.__pydantic_complete__ == (sys.argv[1] == "eager")

class Schema(GenerateJsonSchema):
    def handle_invalid_for_json_schema(self, schema, error_info):
        return {"not JSON": error_info}

def digest(schema):
    return hashlib.sha1(json.dumps(schema, sort_keys=True, default=str).encode()).hexdigest()

def models(module):
    for name in module.__all__:
        model = getattr(module, name)
        if isinstance(model, type) and issubclass(model, BaseModel):
            yield f"{module.__name__}.{name}", model

digests = {}
# Methods and their answer envelopes first: the order in which nothing is built yet.
for name, method in models(aiogram.methods):
    digests[name] = digest(method.model_json_schema(schema_generator=Schema))
    if isinstance(getattr(method, "__api_method__", None), str):  # not the base classes
        returning = method.__returning__
        envelope = Response[returning]
        digests[f"{name} answer"] = digest(envelope.model_json_schema(schema_generator=Schema))
        TypeAdapter(returning).json_schema(schema_generator=Schema)  # as the replay journal does
for name, model in models(aiogram.types):
    digests[name] = digest(model.model_json_schema(schema_generator=Schema))
print(json.dumps(digests))
"""

STATE_AFTER_IMPORT = """
import bot
import aiogram.types
types = aiogram.types
print(types.InlineKeyboardButton.__pydantic_complete__, types.PassportData.__pydantic_complete__,
      types.Message.__pydantic_complete__, types.Update.__pydantic_complete__)
"""


async def _python(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


async def test_importing_the_bot_leaves_aiogram_models_to_be_built_on_first_use() -> None:
    # Types no method returns wait for their first use; returned ones are built.
    assert (await _python("-c", STATE_AFTER_IMPORT)).split() == ["False", "False", "True", "True"]


async def test_every_aiogram_type_and_method_builds_as_aiogram_itself_builds_it() -> None:
    lazy, eager = await asyncio.gather(
        _python("-c", DIGESTS, "lazy"), _python("-c", DIGESTS, "eager")
    )
    lazy_digests, eager_digests = json.loads(lazy), json.loads(eager)
    assert len(eager_digests) > 700  # ~450 types, ~190 methods and their answers
    different = sorted(name for name in eager_digests if lazy_digests.get(name) != eager_digests[name])
    assert not different, different[:10]
    assert lazy_digests.keys() == eager_digests.keys()
