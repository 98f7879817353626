"""Interest groups on Discord: the real discord.py client against the fake Discord. A group gets a text channel
and a role (POST /guilds/{id}/channels and /roles); joining gives the member the role, leaving takes it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from storage import groups as store
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, load_config, running_bot
from tests.fakes.discord_fake import FakeDiscord

CONFIG = (FIXTURES / "community.yaml").read_text() + """
  groups:
    groups:
      - name: kubernetes
        description: clusters and operators
"""


def test_the_fake_role_has_every_field_of_the_documented_role_object(fake: FakeDiscord) -> None:
    documented = json.loads((Path(FIXTURES) / "role_example.json").read_text())
    assert set(fake.role_payload(1, "kubernetes")) == set(documented)


async def test_the_fake_refuses_roles_for_unknown_members_and_roles(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        base = f"{fake.api_url}/guilds/{fake.guild_id}"
        async with http.post(f"{base}/roles", json={"name": "k8s", "mentionable": True}) as made:
            role = await made.json()
        async with http.put(f"{base}/members/{BEN}/roles/{role['id']}") as given:
            assert given.status == 204
        async with http.put(f"{base}/members/{BEN}/roles/1") as unknown_role:
            assert (unknown_role.status, (await unknown_role.json())["code"]) == (404, 10011)
        async with http.put(f"{base}/members/5/roles/{role['id']}") as unknown_member:
            assert (await unknown_member.json())["code"] == 10007
    assert set(fake.users[BEN].roles) == {int(role["id"])}


async def _answer(fake: FakeDiscord, interaction: dict[str, Any]) -> str:
    path = rf"/interactions/{interaction['id']}/[^/]+/callback"
    found = await fake.wait_for(lambda: fake.calls_to("POST", path))
    return str(found[0].body["data"]["content"])


async def test_a_group_gets_a_channel_and_a_role_that_members_get_and_lose(fake: FakeDiscord, db: Database) -> None:
    assert load_config(CONFIG).rituals.groups is not None
    async with running_bot(fake, db, CONFIG) as bot:
        answer = await _answer(fake, await fake.slash(ANA, ["group", "create"], 'rust "systems programming"'))
        assert "Created the **rust** group" in answer
        await fake.wait_for(lambda: bool(fake.users[ANA].roles))
        made = {c.body["name"]: c for c in fake.calls_to("POST", rf"/guilds/{fake.guild_id}/channels")}
        assert set(made) == {"grp-kubernetes", "grp-rust"} and made["grp-rust"].body["topic"] == "systems programming"
        roles = {r["name"]: int(r["id"]) for r in fake.roles.values()}
        assert set(roles) == {"kubernetes", "rust"} and all(r["mentionable"] for r in fake.roles.values())
        assert set(fake.users[ANA].roles) == {roles["rust"]}

        answer = await _answer(fake, await fake.slash(BEN, ["group", "join"], "kubernetes"))
        assert answer.startswith("You joined **kubernetes**")
        await fake.wait_for(lambda: roles["kubernetes"] in fake.users[BEN].roles)
        answer = await _answer(fake, await fake.slash(BEN, ["group", "leave"], "kubernetes"))
        assert answer.startswith("You left **kubernetes**")
        await fake.wait_for(lambda: fake.calls_to("DELETE", rf"/guilds/\d+/members/{BEN}/roles/\d+"))
        assert fake.users[BEN].roles == []
        await bot.runtime.settle()
        with db.session() as tx:
            rust = store.group(tx, bot.runtime.community, "rust")
        channel = next(cid for cid, c in fake.channels.items() if c.get("name") == "grp-rust")
        assert rust is not None and rust.channel_ref == str(channel)  # group posts go to the channel by its id
